/**
 * The run page's timeline (UI.md): one bar per attempt of each step, so a retried step shows
 * each try with its own status. Attempts come from `StepRun.attempts` (the run's history); a
 * step without any (carried over from the run it retries) shows one bar from its own times.
 */

export interface TimelineAttempt {
  attempt: number;
  status: string;
  startedAt: string;
  finishedAt?: string | null;
  error?: string | null;
}

export interface TimelineStep {
  id: string;
  ref: string;
  status: string;
  attempt: number;
  iteration?: number | null;
  parentRef?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  attempts?: TimelineAttempt[] | null;
}

export interface Bar {
  key: string;
  /** the step's ref, and the ref a click selects (a FOR_EACH iteration selects its loop) */
  ref: string;
  selectRef: string;
  label: string;
  attempt: number;
  status: string;
  from: number;
  to: number;
  open: boolean;
  error: string | null;
}

export interface Timeline {
  bars: Bar[];
  begin: number;
  end: number;
}

const ms = (value: string) => new Date(value).getTime();

/** The bars in step order, attempts oldest first; open attempts run to `now`. */
export function timelineBars(steps: TimelineStep[], now: number): Timeline {
  const bars: Bar[] = [];
  for (const step of steps) {
    const label = step.iteration != null ? `${step.parentRef}[${step.iteration}]` : step.ref;
    const selectRef = step.parentRef ?? step.ref;
    const attempts: TimelineAttempt[] = step.attempts?.length
      ? step.attempts
      : step.startedAt
        ? [{ attempt: step.attempt, status: step.status, startedAt: step.startedAt, finishedAt: step.finishedAt }]
        : [];
    for (const attempt of attempts) {
      const from = ms(attempt.startedAt);
      const open = !attempt.finishedAt;
      bars.push({
        key: `${step.id}:${attempt.attempt}:${attempt.startedAt}`,
        ref: step.ref,
        selectRef,
        label,
        attempt: attempt.attempt,
        status: attempt.status,
        from,
        to: open ? Math.max(now, from) : ms(attempt.finishedAt!),
        open,
        error: attempt.error ?? null,
      });
    }
  }
  if (!bars.length) return { bars, begin: now, end: now };
  let begin = Infinity;
  let end = -Infinity;
  for (const bar of bars) {
    begin = Math.min(begin, bar.from);
    end = Math.max(end, bar.to);
  }
  return { bars, begin, end: Math.max(end, begin + 1) };
}
