/** One run (UI.md): header, DAG beside a timeline, steps, history (latest page, then live), actions. */
import { memo } from 'preact/compat';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ApiError, request, saveBlob, subscribe } from '../api';
import { CopyButton, Dialog, ErrorBox, JsonView, RelTime, StatusBadge, frameBatcher } from '../components';
import { DRAW_ON_REQUEST_ABOVE, dagInput, layoutDag, layoutKey, loopRefs } from '../dag';
import { compare } from '../filtertext';
import type { EventFieldsFragment, RunQuery as RunResult, StepFieldsFragment } from '../gql/graphql';
import {
  ApproveStep,
  CancelRun,
  ForceCompleteStep,
  PauseRun,
  RejectStep,
  ReplaySubtree,
  RestartRun,
  ResumeRun,
  RetryRun,
  RetryStep,
  RunEventsQuery,
  RunEventsSubscription,
  RunQuery,
  RunUpdatesSubscription,
  RunsQuery,
  SignalRun,
  SkipStep,
  TerminateRun,
  UnblockRunsMutation,
} from '../ops';
import { navigate, useRoute } from '../router';
import { workflowPath } from './Workflows';
import { useStore } from '../store';
import { absolute, duration, useUtc } from '../time';
import { timelineBars } from '../timeline';
import { jsonProblem } from '../jsonfields';

type Run = NonNullable<RunResult['run']>;
type Step = StepFieldsFragment;
type Event = EventFieldsFragment;

export const EVENTS_PAGE = 100;
const STATUS_COLORS: Record<string, string> = {
  COMPLETED: '#2e9d57',
  RUNNING: '#2f7de1',
  FAILED: '#d64545',
  TIMED_OUT: '#d64545',
  WAITING: '#c98a12',
  QUEUED: '#8a63d2',
  PENDING: '#8b95a5',
  BLOCKED: '#c98a12',
  PAUSED: '#c98a12',
  CANCELING: '#b0651b',
  CANCELED: '#6b7280',
  TERMINATED: '#6b7280',
  ABANDONED: '#6b7280',
  SKIPPED: '#9aa3af',
};

function setTitleAndIcon(status: string | null, label: string) {
  document.title = status ? `${status} · ${label} · flowdeck` : 'flowdeck';
  const color = (status && STATUS_COLORS[status]) || '#8b95a5';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${color}"/></svg>`;
  const link = document.getElementById('favicon') as HTMLLinkElement | null;
  if (link) link.href = `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function RunPage({ id }: { id: string }) {
  const { query } = useRoute();
  const tab = query.get('tab') ?? 'history';
  const selectedStep = query.get('step');
  const selectedSeq = query.get('seq') ? Number(query.get('seq')) : null;
  const setQuery = useCallback(
    (change: Record<string, string | null>) => {
      const params = new URLSearchParams(location.search);
      for (const [key, value] of Object.entries(change)) {
        if (value === null) params.delete(key);
        else params.set(key, value);
      }
      const search = params.toString();
      navigate(`/runs/${encodeURIComponent(id)}${search ? `?${search}` : ''}`, true);
    },
    [id],
  );
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [missing, setMissing] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const data = await request(RunQuery, { id });
      if (!data.run) setMissing(true);
      else {
        setRun(data.run);
        setMissing(false);
      }
      setError(null);
    } catch (caught) {
      setError(caught as ApiError);
    }
  }, [id]);

  useEffect(() => {
    setRun(null);
    void refresh();
  }, [refresh]);

  useEffect(() => {
    setTitleAndIcon(run?.status ?? null, run?.workflow.name ?? 'run');
    return () => setTitleAndIcon(null, '');
  }, [run?.status, run?.workflow.name]);

  // Each event means the run or a step changed: re-read the run, at most once per frame and
  // never two reads at once.
  const refreshing = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });
  const scheduleRefresh = useCallback(() => {
    const gate = refreshing.current;
    if (gate.busy) {
      gate.again = true;
      return;
    }
    gate.busy = true;
    void refresh().finally(() => {
      gate.busy = false;
      if (gate.again) {
        gate.again = false;
        scheduleRefresh();
      }
    });
  }, [refresh]);

  const selectSeq = useCallback((seq: number) => setQuery({ seq: String(seq) }), [setQuery]);

  if (missing) return <main class="page"><h1>Run not found</h1><p>No run with id <code>{id}</code> is visible to your key.</p></main>;
  if (error && !run) return <main class="page"><ErrorBox error={error} /></main>;
  if (!run) return <main class="page loading">Loading run…</main>;
  const steps = run.steps;
  return (
    <main class="page run-page" data-run-status={run.status}>
      <RunHeader run={run} />
      <ErrorBox error={error} />
      <RunActions run={run} onDone={scheduleRefresh} />
      <section class="graph-and-timeline">
        <DagView steps={steps} childRuns={run.childRuns} selected={selectedStep} onSelect={(ref) => setQuery({ step: ref })} />
        <Timeline steps={steps} selected={selectedStep} onSelect={(ref) => setQuery({ step: ref })} />
      </section>
      <div class="tabs" role="tablist">
        {['history', 'steps', 'updates', 'data'].map((name) => (
          <button type="button" role="tab" key={name} aria-selected={tab === name} class={tab === name ? 'tab active' : 'tab'} onClick={() => setQuery({ tab: name })}>
            {name === 'data' ? 'Input & output' : name[0].toUpperCase() + name.slice(1)}
          </button>
        ))}
      </div>
      <div hidden={tab !== 'steps'}>
        <StepTable run={run} selected={selectedStep} onSelect={(ref) => setQuery({ step: ref })} onDone={scheduleRefresh} />
      </div>
      <div hidden={tab !== 'history'}>
        <History run={run} selectedSeq={selectedSeq} onSelectSeq={selectSeq} onEvent={scheduleRefresh} />
      </div>
      <div hidden={tab !== 'updates'}>
        <Updates runId={run.id} />
      </div>
      <div hidden={tab !== 'data'} class="data">
        <JsonView label="Input" value={run.input} />
        <JsonView label="Output" value={run.output} />
      </div>
    </main>
  );
}

function RunLink({ label, run }: { label: string; run: { id: string; status: string } | null | undefined }) {
  if (!run) return null;
  return (
    <span class="run-ref">
      {label}: <a href={`/runs/${encodeURIComponent(run.id)}`}>{run.id.slice(0, 10)}…</a> <StatusBadge status={run.status} />
    </span>
  );
}

function RunHeader({ run }: { run: Run }) {
  return (
    <header class="run-header">
      <div class="run-title">
        <StatusBadge status={run.status} />
        <h1>
          <a href={workflowPath(run.workflow.key, run.project.key)}>{run.workflow.name}</a> <span class="muted">v{run.workflowVersion}</span>
        </h1>
      </div>
      <dl class="facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code class="run-id">{run.id}</code> <CopyButton text={run.id} />
          </dd>
        </div>
        {run.subject && (
          <div>
            <dt>Subject</dt>
            <dd>
              {run.subject.name ?? run.subject.id} <span class="muted">({run.subject.type} {run.subject.id})</span>
            </dd>
          </div>
        )}
        <div>
          <dt>Created</dt>
          <dd>
            <RelTime at={run.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <RelTime at={run.startedAt} />
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>
            <RelTime at={run.finishedAt} />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{duration(run.durationSeconds)}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{run.priority}</dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd>
            {run.initiatedBy} <span class="muted">({run.triggeredBy})</span>
          </dd>
        </div>
        {run.tags.length > 0 && (
          <div>
            <dt>Tags</dt>
            <dd>
              {run.tags.map((tag) => (
                <span class="tag" key={tag.key}>
                  {tag.key}={tag.value}
                </span>
              ))}
            </dd>
          </div>
        )}
      </dl>
      {run.error && (
        <div class="error-box run-error">
          {run.error.stepRef && <b>{run.error.stepRef}: </b>}
          {run.error.message}
        </div>
      )}
      <div class="links">
        <RunLink label="Retry of" run={run.retryOf} />
        <RunLink label="Restart of" run={run.restartOf} />
        <RunLink label="Parent" run={run.parentRun} />
        {run.childRuns.map((child) => (
          <RunLink key={child.id} label={`Child (${child.workflow.key})`} run={child} />
        ))}
        <MadeFrom run={run} />
        <a href={workflowPath(run.workflow.key, run.project.key, `&start=${encodeURIComponent(run.id)}`)} class="button small">
          Start a run like this one
        </a>
      </div>
    </header>
  );
}

/** The runs made from this one: its retries and restarts. */
function MadeFrom({ run }: { run: Run }) {
  const runId = run.id;
  const [runs, setRuns] = useState<{ id: string; status: string }[]>([]);
  useEffect(() => {
    const filter = `${compare('retry_of', 'eq', runId)} or ${compare('restart_of', 'eq', runId)}`;
    request(RunsQuery, { filter, first: 20 })
      .then((data) => setRuns(data.runs.edges.map((edge) => edge.node)))
      .catch(() => setRuns([]));
  }, [run]); // each re-read of the run (after each event) looks again
  return (
    <>
      {runs.map((made) => (
        <RunLink key={made.id} label="Made from this run" run={made} />
      ))}
    </>
  );
}

interface ActionSpec {
  label: string;
  mutate: (reason: string | null, extra: Record<string, string>) => Promise<{ errors: { message: string }[] }>;
  fields?: { name: string; label: string; json?: boolean }[];
  danger?: boolean;
}

function parseJson(text: string | undefined): unknown {
  return text?.trim() ? JSON.parse(text) : null;
}

function runActionSpec(run: Run, action: string): ActionSpec {
  const input = (reason: string | null) => ({ input: { id: run.id, reason } });
  switch (action) {
    case 'CANCEL':
      return { label: 'Cancel', danger: true, mutate: async (reason) => (await request(CancelRun, input(reason))).cancelRun };
    case 'TERMINATE':
      return { label: 'Terminate', danger: true, mutate: async (reason) => (await request(TerminateRun, input(reason))).terminateRun };
    case 'PAUSE':
      return { label: 'Pause', mutate: async (reason) => (await request(PauseRun, input(reason))).pauseRun };
    case 'RESUME':
      return { label: 'Resume', mutate: async (reason) => (await request(ResumeRun, input(reason))).resumeRun };
    case 'RETRY':
      return { label: 'Retry', mutate: async (reason) => (await request(RetryRun, input(reason))).retryRun };
    case 'RESTART':
      return { label: 'Restart', mutate: async (reason) => (await request(RestartRun, input(reason))).restartRun };
    case 'UNBLOCK':
    case 'ABANDON':
      return {
        label: action === 'UNBLOCK' ? 'Unblock' : 'Abandon',
        danger: action === 'ABANDON',
        mutate: async (reason) => (await request(UnblockRunsMutation, { input: { id: run.id, action: action === 'UNBLOCK' ? 'RUN' : 'ABANDON', reason } })).unblockRuns,
      };
    case 'SIGNAL':
      return {
        label: 'Signal',
        fields: [
          { name: 'name', label: 'Signal name' },
          { name: 'message', label: 'Message' },
          { name: 'payload', label: 'Payload (JSON)', json: true },
        ],
        mutate: async (_reason, extra) =>
          (await request(SignalRun, { input: { id: run.id, name: extra.name ?? '', message: extra.message ?? '', payload: parseJson(extra.payload) } })).signalRun,
      };
    default:
      return { label: action, mutate: async () => ({ errors: [{ message: `The dashboard does not know the action ${action}` }] }) };
  }
}

function stepActionSpec(run: Run, step: Step, action: string): ActionSpec {
  const input = (reason: string | null) => ({ input: { runId: run.id, stepRef: step.ref, reason } });
  switch (action) {
    case 'APPROVE':
      return { label: 'Approve', mutate: async (reason) => (await request(ApproveStep, input(reason))).approveStep };
    case 'REJECT':
      return { label: 'Reject', danger: true, mutate: async (reason) => (await request(RejectStep, input(reason))).rejectStep };
    case 'SKIP':
      return { label: 'Skip', mutate: async (reason) => (await request(SkipStep, input(reason))).skipStep };
    case 'RETRY':
      return { label: 'Retry step', mutate: async (reason) => (await request(RetryStep, input(reason))).retryStep };
    case 'REPLAY_SUBTREE':
      return { label: 'Replay subtree', mutate: async (reason) => (await request(ReplaySubtree, input(reason))).replaySubtree };
    case 'FORCE_COMPLETE':
      return {
        label: 'Force complete',
        fields: [{ name: 'result', label: 'Result (JSON)', json: true }],
        mutate: async (reason, extra) =>
          (await request(ForceCompleteStep, { input: { runId: run.id, stepRef: step.ref, reason, result: parseJson(extra.result) } })).forceCompleteStep,
      };
    default:
      return { label: action, mutate: async () => ({ errors: [{ message: `The dashboard does not know the action ${action}` }] }) };
  }
}

/** A button that asks for a reason (and any fields) in a dialog, then acts. */
function ActionButton({ spec, subject, onDone }: { spec: ActionSpec; subject: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [extra, setExtra] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  return (
    <>
      <button type="button" class={spec.danger ? 'danger action' : 'action'} data-action={spec.label} onClick={() => (setOpen(true), setError(null))}>
        {spec.label}
      </button>
      {open && (
        <Dialog title={`${spec.label} ${subject}`} onClose={close}>
          <form
            onSubmit={async (event) => {
              event.preventDefault();
              // JSON fields are checked here, before anything is sent
              const invalid = jsonProblem(spec.fields ?? [], extra);
              if (invalid) {
                setError(new Error(invalid));
                return;
              }
              setBusy(true);
              setError(null);
              try {
                const payload = await spec.mutate(reason.trim() || null, extra);
                if (payload.errors.length) setError(new Error(payload.errors.map((item) => item.message).join('; ')));
                else {
                  setOpen(false);
                  onDone();
                }
              } catch (caught) {
                setError(caught as Error);
              } finally {
                setBusy(false);
              }
            }}
          >
            {spec.fields?.map((field) => (
              <label key={field.name}>
                {field.label}
                {field.json ? (
                  <textarea name={field.name} rows={4} aria-invalid={!!error && !!jsonProblem(spec.fields ?? [], extra)} onInput={(event) => setExtra({ ...extra, [field.name]: event.currentTarget.value })} />
                ) : (
                  <input name={field.name} onInput={(event) => setExtra({ ...extra, [field.name]: event.currentTarget.value })} />
                )}
              </label>
            ))}
            <label>
              Reason
              <input name="reason" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
            </label>
            <ErrorBox error={error} />
            <div class="dialog-buttons">
              <button type="button" class="ghost" onClick={close}>
                Back
              </button>
              <button type="submit" class={spec.danger ? 'danger' : 'primary'} disabled={busy}>
                {spec.label}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}

function RunActions({ run, onDone }: { run: Run; onDone: () => void }) {
  if (!run.availableActions.length) return null;
  return (
    <div class="actions run-actions" aria-label="Run actions">
      {run.availableActions.map((action) => (
        <ActionButton key={action} spec={runActionSpec(run, action)} subject="this run" onDone={onDone} />
      ))}
    </div>
  );
}

function DagView({ steps, childRuns, selected, onSelect }: { steps: Step[]; childRuns: Run['childRuns']; selected: string | null; onSelect: (ref: string) => void }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const input = useMemo(() => dagInput(steps, expanded), [steps, expanded]);
  const [forced, setForced] = useState(false);
  const [full, setFull] = useState(false);
  // UI.md: above 500 steps (iterations included) the graph is drawn on request
  const tooBig = steps.length > DRAW_ON_REQUEST_ABOVE && !forced;
  // the layout depends on the graph's shape only: a status change redraws, never re-lays out
  const key = tooBig ? null : layoutKey(input);
  const layout = useMemo(() => (key === null ? null : layoutDag(input)), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const current = useMemo(() => new Map(input.nodes.map((node) => [node.ref, node])), [input]);
  const loops = useMemo(() => loopRefs(input), [input]);
  const childOf = useMemo(() => new Map(childRuns.filter((child) => child.parentStep).map((child) => [child.parentStep!.ref, child])), [childRuns]);
  const toggleLoop = (ref: string) => {
    const next = new Set(expanded);
    if (next.has(ref)) next.delete(ref);
    else next.add(ref);
    setExpanded(next);
  };
  return (
    <div class={`dag ${full ? 'fullscreen' : ''}`} aria-label="Step graph" data-nodes={layout ? layout.nodes.length : 0}>
      <div class="dag-tools">
        {layout && loops.length > 0 && (
          <>
            <button type="button" class="small ghost" disabled={expanded.size === 0} onClick={() => setExpanded(new Set())}>
              Collapse all
            </button>
            <button type="button" class="small ghost" disabled={expanded.size === loops.length} onClick={() => setExpanded(new Set(loops))}>
              Expand all
            </button>
          </>
        )}
        <button type="button" class="small ghost" onClick={() => setFull(!full)}>
          {full ? 'Exit full screen' : 'Full screen'}
        </button>
      </div>
      {tooBig && (
        <p class="dag-on-request">
          {steps.length} steps{input.nodes.length < steps.length ? ` (${input.nodes.length} in the graph, loop iterations grouped)` : ''}.{' '}
          <button type="button" onClick={() => setForced(true)}>
            Draw the graph
          </button>
        </p>
      )}
      {layout && (
        <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrow" />
            </marker>
          </defs>
          {layout.edges.map((edge) => (
            <polyline key={`${edge.from}-${edge.to}`} class="edge" marker-end="url(#arrow)" points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')} />
          ))}
          {layout.nodes.map((placed) => {
            const node = current.get(placed.ref) ?? placed;
            const child = childOf.get(node.ref);
            const color = STATUS_COLORS[node.status ?? 'PENDING'];
            return (
              <g
                key={node.ref}
                class={`node ${selected === node.ref ? 'selected' : ''}`}
                data-ref={node.ref}
                data-status={node.status ?? ''}
                transform={`translate(${placed.x - placed.width / 2},${placed.y - placed.height / 2})`}
                // lower case: Preact sets SVG attributes by name, and SVG's are case-sensitive
                // (`tabIndex` made an attribute no browser reads: the nodes took no focus)
                tabindex={0}
                role="button"
                aria-label={`${node.label}: ${node.status}`}
                onClick={() => onSelect(node.ref)}
                onKeyDown={(event) => event.key === 'Enter' && onSelect(node.ref)}
              >
                <title>
                  {node.label} ({node.ref}): {node.status}
                  {Object.entries(node.iterationStatuses)
                    .map(([status, count]) => `, ${count} ${status}`)
                    .join('')}
                </title>
                <rect class="box" width={placed.width} height={placed.height} rx="6" style={{ stroke: color }} />
                <rect width="6" height={placed.height} rx="3" style={{ fill: color }} />
                <text x="14" y="18" class="node-label">
                  {node.label.length > 22 ? `${node.label.slice(0, 21)}…` : node.label}
                </text>
                <text x="14" y="35" class="node-meta">
                  {node.type.replace('_', ' ')} · {node.status}
                  {node.iterations ? ` · ×${node.iterations}` : ''}
                </text>
                {node.iterations > 0 && (
                  <g
                    class="loop-toggle"
                    role="button"
                    tabindex={0}
                    aria-label={`${expanded.has(node.ref) ? 'Collapse' : 'Expand'} the ${node.iterations} iterations of ${node.ref}`}
                    transform={`translate(${placed.width - 22},4)`}
                    onClick={(event) => (event.stopPropagation(), toggleLoop(node.ref))}
                    onKeyDown={(event) => event.key === 'Enter' && (event.stopPropagation(), toggleLoop(node.ref))}
                  >
                    <rect width="18" height="18" rx="4" class="box" />
                    <text x="9" y="13" text-anchor="middle" class="node-label">
                      {expanded.has(node.ref) ? '−' : '+'}
                    </text>
                  </g>
                )}
                {child && (
                  <a href={`/runs/${encodeURIComponent(child.id)}`} class="child-link" onClick={(event) => event.stopPropagation()}>
                    <text x={placed.width - 8} y="35" text-anchor="end" class="node-meta">
                      child run →
                    </text>
                  </a>
                )}
              </g>
            );
          })}
        </svg>
      )}
    </div>
  );
}

function Timeline({ steps, selected, onSelect }: { steps: Step[]; selected: string | null; onSelect: (ref: string) => void }) {
  const utc = useStore(useUtc);
  const { bars, begin, end } = useMemo(() => timelineBars(steps, Date.now()), [steps]);
  if (!bars.length) return <div class="timeline empty">No step has started yet.</div>;
  const span = end - begin;
  return (
    <div class="timeline" aria-label="Timeline">
      <div class="timeline-axis muted">
        <span>{absolute(new Date(begin).toISOString(), utc)}</span>
        <span>{duration(span / 1000)}</span>
      </div>
      {bars.map((bar) => (
        <button
          type="button"
          key={bar.key}
          class={`bar-row ${selected != null && (selected === bar.ref || selected === bar.selectRef) ? 'selected' : ''}`}
          data-ref={bar.ref}
          data-attempt={bar.attempt}
          data-status={bar.status}
          onClick={() => onSelect(bar.selectRef)}
          title={`${bar.label} attempt ${bar.attempt}: ${bar.status}, ${duration((bar.to - bar.from) / 1000)}${bar.error ? ` (${bar.error})` : ''}`}
        >
          <span class="bar-label">
            {bar.label} <span class="muted">#{bar.attempt}</span>
          </span>
          <span class="bar-track">
            <span
              class={`bar ${bar.open ? 'open' : ''}`}
              style={{ left: `${((bar.from - begin) / span) * 100}%`, width: `${Math.max(((bar.to - bar.from) / span) * 100, 0.5)}%`, background: STATUS_COLORS[bar.status] }}
            />
          </span>
        </button>
      ))}
    </div>
  );
}

function StepTable({ run, selected, onSelect, onDone }: { run: Run; selected: string | null; onSelect: (ref: string) => void; onDone: () => void }) {
  return (
    <div class="table-wrap">
      <table class="steps">
        <thead>
          <tr>
            <th>Step</th>
            <th>Type</th>
            <th>Status</th>
            <th>Attempt</th>
            <th>Started</th>
            <th>Finished</th>
            <th>Waiting for</th>
            <th>Output / error</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {run.steps.map((step) => (
            <tr key={step.id} data-ref={step.ref} data-status={step.status} class={selected === step.ref ? 'selected' : ''} onClick={() => onSelect(step.parentRef ?? step.ref)}>
              <td>
                {step.iteration != null ? <span class="muted">{step.parentRef}[{step.iteration}] </span> : null}
                <b>{step.name ?? step.ref}</b> <span class="muted">{step.ref}</span>
              </td>
              <td>{step.type}</td>
              <td>
                <StatusBadge status={step.status} />
              </td>
              <td>{step.attempt}</td>
              <td>
                <RelTime at={step.startedAt} />
              </td>
              <td>
                <RelTime at={step.finishedAt} />
              </td>
              <td class="waiting-for">{step.waitingFor ?? ''}</td>
              <td class="output">
                {run.childRuns
                  .filter((child) => child.parentStep?.ref === step.ref)
                  .map((child) => (
                    <a key={child.id} href={`/runs/${encodeURIComponent(child.id)}`} class="child-run">
                      child run <StatusBadge status={child.status} />{' '}
                    </a>
                  ))}
                {step.error ? <span class="err">{step.error}</span> : step.output != null ? <code>{JSON.stringify(step.output).slice(0, 120)}</code> : ''}
              </td>
              <td class="actions" onClick={(event) => event.stopPropagation()}>
                {step.availableActions.map((action) => (
                  <ActionButton key={action} spec={stepActionSpec(run, step, action)} subject={`step ${step.ref}`} onDone={onDone} />
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ROW_HEIGHT = 30;

// Memoized: scrolling renders only the rows that come into view, not every row in it.
const EventRow = memo(function EventRow({ event, top, start, selected, onSelect }: { event: Event; top: number; start: number; selected: boolean; onSelect: (seq: number) => void }) {
  return (
    <div class={`event ${event.ok ? '' : 'failed'} ${selected ? 'selected' : ''}`} data-seq={event.seq} style={{ top: `${top}px` }} onClick={() => onSelect(event.seq)}>
      <span class="seq">#{event.seq}</span>
      <span class="elapsed muted">+{duration((new Date(event.at).getTime() - start) / 1000)}</span>
      <span class="etype">{event.type}</span>
      <span class="eref">{event.stepRef ?? ''}</span>
      <span class="edetail muted">{[event.actor, event.reason, event.data ? JSON.stringify(event.data) : ''].filter(Boolean).join(' · ')}</span>
    </div>
  );
});

/** The previous list while the items are the same, so that memoized children skip rendering. */
function useSameList(list: string[]): string[] {
  const kept = useRef(list);
  const same = kept.current.length === list.length && kept.current.every((item, index) => item === list[index]);
  if (!same) kept.current = list;
  return kept.current;
}

// A select of many options (a history's step refs: thousands in a long run) renders only when
// its options or value change, not on every scroll of the history.
const Choice = memo(function Choice({ label, all, options, value, onChange }: { label: string; all: string; options: string[]; value: string; onChange: (value: string) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
      <option value="">{all}</option>
      {options.map((option) => (
        <option key={option}>{option}</option>
      ))}
    </select>
  );
});

/** The history: the latest page from Run.events, then live via runEvents after the last seq. */
function History({ run, selectedSeq, onSelectSeq, onEvent }: { run: Run; selectedSeq: number | null; onSelectSeq: (seq: number) => void; onEvent: () => void }) {
  const [events, setEvents] = useState<Event[]>([]);
  const [firstLoaded, setFirstLoaded] = useState<number>(1);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [typeFilter, setTypeFilter] = useState('');
  const [stepFilter, setStepFilter] = useState('');
  const [failedOnly, setFailedOnly] = useState(false);
  const [newestFirst, setNewestFirst] = useState(true);
  const lastSeq = useRef(0);
  const total = run.events.totalCount;
  const runId = run.id;

  // The latest page first; the seqs run 1..total with no gap, so it starts after total - page.
  useEffect(() => {
    let current = true;
    lastSeq.current = 0;
    setReady(false);
    const after = Math.max(0, total - EVENTS_PAGE);
    request(RunEventsQuery, { id: runId, after, first: EVENTS_PAGE })
      .then((data) => {
        if (!current || !data.run) return;
        const page = data.run.events.edges.map((edge) => edge.node);
        lastSeq.current = page.length ? page[page.length - 1].seq : after;
        setFirstLoaded(page.length ? page[0].seq : after + 1);
        setEvents(page);
        setReady(true);
      })
      .catch((caught: Error) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [runId]);

  // Live after the last seq. graphql-ws resubscribes after a dropped socket with the same
  // arguments; seqs at or below the last one shown are dropped, so nothing repeats or goes missing.
  useEffect(() => {
    if (!ready) return;
    const batcher = frameBatcher<Event>((incoming) => {
      const fresh: Event[] = [];
      for (const event of incoming) {
        if (event.seq > lastSeq.current) {
          fresh.push(event);
          lastSeq.current = event.seq;
        }
      }
      if (fresh.length) {
        setEvents((current) => [...current, ...fresh]);
        onEvent();
      }
    });
    const stop = subscribe(RunEventsSubscription, { runId, after: lastSeq.current }, (data) => batcher.push(data.runEvents), setError);
    return () => {
      stop();
      batcher.cancel();
    };
  }, [ready, runId, onEvent]);

  const matches = useCallback(
    (event: Event) => (!typeFilter || event.type === typeFilter) && (!stepFilter || event.stepRef === stepFilter) && (!failedOnly || !event.ok),
    [typeFilter, stepFilter, failedOnly],
  );
  const viewport = useRef<HTMLDivElement>(null);

  // Older pages, on a click or when the visitor scrolls to the oldest end; one at a time, so
  // two scroll events never load the same page twice.
  const [scrollTop, setScrollTop] = useState(0);
  const loadingOlder = useRef(false);
  // Oldest first, an older page comes in above the view: the pixels to move the view down by,
  // in the same render (a layout effect, before the paint and before any scroll event), so what
  // the visitor looks at stays in place and the view never rests at the oldest end meanwhile
  // (done a frame later, a scroll event in between loaded the next page too).
  const keepInPlace = useRef(0);
  const loadOlder = useCallback(async () => {
    if (loadingOlder.current || firstLoaded <= 1) return;
    loadingOlder.current = true;
    try {
      const after = Math.max(0, firstLoaded - 1 - EVENTS_PAGE);
      const data = await request(RunEventsQuery, { id: runId, after, first: firstLoaded - 1 - after });
      const older = (data.run?.events.edges.map((edge) => edge.node) ?? []).filter((event) => event.seq < firstLoaded);
      if (!newestFirst) keepInPlace.current += older.filter(matches).length * ROW_HEIGHT;
      setEvents((current) => [...older, ...current]);
      setFirstLoaded(older.length ? older[0].seq : 1);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      loadingOlder.current = false;
    }
  }, [firstLoaded, runId, newestFirst, matches]);
  useLayoutEffect(() => {
    const box = viewport.current;
    if (!keepInPlace.current || !box) return;
    box.scrollTop += keepInPlace.current;
    keepInPlace.current = 0;
    setScrollTop(box.scrollTop);
  }, [firstLoaded]);

  const shown = useMemo(() => {
    const list = events.filter(matches);
    return newestFirst ? list.reverse() : list;
  }, [events, matches, newestFirst]);

  const types = useSameList(useMemo(() => [...new Set(events.map((event) => event.type))].sort(), [events]));
  const stepRefs = useSameList(useMemo(() => [...new Set(events.map((event) => event.stepRef).filter(Boolean) as string[])].sort(), [events]));
  const start = events.length ? new Date(events[0].at).getTime() : 0;

  // Virtualized: only the rows in view (plus a margin) are in the DOM.
  const height = 420;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 10);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + 10);
  useEffect(() => {
    if (selectedSeq == null || !viewport.current) return;
    const index = shown.findIndex((event) => event.seq === selectedSeq);
    if (index >= 0) viewport.current.scrollTop = Math.max(0, index * ROW_HEIGHT - height / 2);
  }, [selectedSeq, ready]);

  return (
    <section class="history" aria-label="History">
      <div class="history-tools">
        <Choice label="Event type" all="every type" options={types} value={typeFilter} onChange={setTypeFilter} />
        <Choice label="Step" all="every step" options={stepRefs} value={stepFilter} onChange={setStepFilter} />
        <label>
          <input type="checkbox" checked={failedOnly} onChange={(event) => setFailedOnly(event.currentTarget.checked)} /> failed only
        </label>
        <button type="button" class="small" onClick={() => setNewestFirst(!newestFirst)}>
          {newestFirst ? 'Newest first' : 'Oldest first'}
        </button>
        <button
          type="button"
          class="small"
          onClick={() => saveBlob(new Blob([JSON.stringify({ run, events }, null, 2)], { type: 'application/json' }), `run-${run.id}.json`)}
        >
          Download JSON
        </button>
        <span class="muted event-count">
          {events.length} of {Math.max(total, lastSeq.current)} events
        </span>
        {firstLoaded > 1 && (
          <button type="button" class="small load-older" onClick={() => void loadOlder()}>
            Load older
          </button>
        )}
      </div>
      <ErrorBox error={error} />
      <div
        class="events"
        ref={viewport}
        style={{ height: `${Math.min(height, shown.length * ROW_HEIGHT + 2)}px` }}
        onScroll={(event) => {
          const box = event.currentTarget;
          setScrollTop(box.scrollTop);
          // the oldest end: the bottom when newest first, the top when oldest first
          const atOldest = newestFirst ? box.scrollTop + box.clientHeight >= box.scrollHeight - 3 * ROW_HEIGHT : box.scrollTop <= 3 * ROW_HEIGHT;
          if (atOldest && firstLoaded > 1) void loadOlder();
        }}
      >
        <div style={{ height: `${shown.length * ROW_HEIGHT}px`, position: 'relative' }}>
          {shown.slice(first, last).map((event, index) => (
            <EventRow key={event.seq} event={event} top={(first + index) * ROW_HEIGHT} start={start} selected={selectedSeq === event.seq} onSelect={onSelectSeq} />
          ))}
        </div>
      </div>
    </section>
  );
}

function Updates({ runId }: { runId: string }) {
  const [updates, setUpdates] = useState<{ seq: number; at: string; type: string; message: string }[]>([]);
  useEffect(() => {
    setUpdates([]);
    const batcher = frameBatcher<{ seq: number; at: string; type: string; message: string }>((items) =>
      setUpdates((current) => {
        const known = new Set(current.map((item) => item.seq));
        return [...current, ...items.filter((item) => !known.has(item.seq))];
      }),
    );
    const stop = subscribe(RunUpdatesSubscription, { runId }, (data) => batcher.push(data.runUpdates));
    return () => {
      stop();
      batcher.cancel();
    };
  }, [runId]);
  if (!updates.length) return <p class="muted">No progress updates.</p>;
  return (
    <ol class="updates">
      {updates.map((update) => (
        <li key={update.seq} data-seq={update.seq}>
          <RelTime at={update.at} /> <b>{update.type}</b> {update.message}
        </li>
      ))}
    </ol>
  );
}
