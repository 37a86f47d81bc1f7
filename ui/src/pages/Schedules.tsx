/** Schedules (JOBS.md): the list and one schedule, when the server offers them. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, request } from '../api';
import { ErrorBox, NotOffered, RelTime, StatusBadge } from '../components';
import operations from '../contract/schedules.graphql?raw';
import { contractOperation, queryFields } from '../offered';
import { compare } from '../filtertext';
import { atLeast, principal } from '../session';
import { useStore } from '../store';
import { DEFAULT_STATE, type RunsState } from '../urlstate';
import { useRoute } from '../router';
import { RunsView } from './Runs';
import { workflowPath } from './Workflows';

interface Schedule {
  id: string;
  key: string;
  cron: string;
  timezone: string;
  state: string;
  note: string | null;
  nextFireTimes: string[];
  lastFiredAt: string | null;
  project: { key: string };
  workflow: { key: string; name: string };
  recentFires: { nominalTime: string; actualTime: string | null; outcome: string; error: string | null; run: { id: string; status: string } | null }[];
}

const SchedulesQuery = contractOperation<{ schedules: { edges: { node: Schedule }[] } }>(operations, 'Schedules');
const ScheduleQuery = contractOperation<{ schedule: Schedule | null }, { key: string; project: string | null }>(operations, 'Schedule');
type ActionResult = Record<string, { errors: { message: string }[] }>;
const PauseSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'PauseSchedule');
const ResumeSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'ResumeSchedule');
const TriggerSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'TriggerSchedule');
const BackfillSchedule = contractOperation<
  { backfillSchedule: { batchId: string | null; runs: { id: string }[]; errors: { message: string }[] } },
  { input: { id: string; from: string; to: string; overlap: string } }
>(operations, 'BackfillSchedule');
const OVERLAPS = ['BUFFER_ALL', 'BUFFER_ONE', 'SKIP', 'ALLOW_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER'];

/** Backfill (ADMIN): one run per fire time in [from, to), overlapping as chosen. */
function Backfill({ schedule, onDone }: { schedule: Schedule; onDone: () => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [overlap, setOverlap] = useState('BUFFER_ALL');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  return (
    <form
      class="backfill row"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(null);
        setResult(null);
        if (!from || !to) return setError(new Error('Give both ends of the range.'));
        try {
          const data = await request(BackfillSchedule, {
            input: { id: schedule.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), overlap },
          });
          const payload = data.backfillSchedule;
          if (payload.errors.length) setError(new Error(payload.errors.map((item) => item.message).join('; ')));
          else {
            setResult(`${payload.runs.length} runs started (batch ${payload.batchId ?? '—'})`);
            onDone();
          }
        } catch (caught) {
          setError(caught as Error);
        }
      }}
    >
      <label>
        From
        <input type="datetime-local" name="from" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
      </label>
      <label>
        To
        <input type="datetime-local" name="to" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
      </label>
      <label>
        Overlap
        <select name="overlap" value={overlap} onChange={(event) => setOverlap(event.currentTarget.value)}>
          {OVERLAPS.map((item) => (
            <option key={item}>{item}</option>
          ))}
        </select>
      </label>
      <button type="submit">Backfill</button>
      {result && <span role="status">{result}</span>}
      <ErrorBox error={error} />
    </form>
  );
}

/** One schedule: its recent fires, backfill, and its runs. */
function ScheduleDetail({ schedule, onDone }: { schedule: Schedule; onDone: () => void }) {
  const me = useStore(principal);
  const [runsState, setRunsState] = useState<RunsState>({ ...DEFAULT_STATE, size: 25 });
  return (
    <>
      <section>
        <h2>Recent fires</h2>
        <ul class="fires">
          {schedule.recentFires.map((fire) => (
            <li key={fire.nominalTime}>
              <RelTime at={fire.nominalTime} /> {fire.outcome}{' '}
              {fire.run && (
                <a href={`/runs/${encodeURIComponent(fire.run.id)}`}>
                  run <StatusBadge status={fire.run.status} />
                </a>
              )}{' '}
              {fire.error && <span class="err">{fire.error}</span>}
            </li>
          ))}
        </ul>
      </section>
      {atLeast('ADMIN') && (
        <section>
          <h2>Backfill</h2>
          <Backfill schedule={schedule} onDone={onDone} />
        </section>
      )}
      <section>
        <h2>Runs</h2>
        <RunsView state={runsState} setState={setRunsState} me={me?.name ?? ''} fixedFilter={compare('schedule_id', 'eq', schedule.id)} />
      </section>
    </>
  );
}

const WORDS: Record<string, string> = { '@hourly': 'every hour', '@daily': 'every day at midnight', '@weekly': 'every Sunday at midnight', '@monthly': 'on the 1st of every month' };

/** A cron expression in words, for the common shapes; the expression itself otherwise. */
export function cronInWords(cron: string): string {
  if (WORDS[cron]) return WORDS[cron];
  const [minute, hour, dom, month, dow] = cron.split(/\s+/);
  if ([dom, month, dow].every((part) => part === '*')) {
    if (minute === '*' && hour === '*') return 'every minute';
    if (minute.startsWith('*/') && hour === '*') return `every ${minute.slice(2)} minutes`;
    if (/^\d+$/.test(minute) && hour === '*') return `every hour at minute ${minute}`;
    if (/^\d+$/.test(minute) && /^\d+$/.test(hour)) return `every day at ${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
  }
  return cron;
}

export function SchedulesPage({ scheduleKey }: { scheduleKey?: string }) {
  const project = useRoute().query.get('project');
  const [offered, setOffered] = useState<boolean | null>(null);
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    queryFields()
      .then((fields) => setOffered(fields.has('schedules')))
      .catch(setError);
  }, []);
  useEffect(() => {
    if (!offered) return;
    const load = scheduleKey
      ? request(ScheduleQuery, { key: scheduleKey, project }).then((data) => (data.schedule ? [data.schedule] : []))
      : request(SchedulesQuery).then((data) => data.schedules.edges.map((edge) => edge.node));
    load.then(setSchedules).catch(setError);
  }, [offered, scheduleKey, project, reload]);
  const act = async (operation: typeof PauseSchedule, name: string, id: string) => {
    setError(null);
    try {
      const data = await request(operation, { input: { id } });
      const errors = data[name]?.errors ?? [];
      if (errors.length) setError(new Error(errors.map((item) => item.message).join('; ')));
      setReload((value) => value + 1);
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <main class="page">
      <h1>Schedules</h1>
      <ErrorBox error={error} />
      {offered === false && <NotOffered what="schedules" />}
      {schedules && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Schedule</th>
                <th>Workflow</th>
                <th>State</th>
                <th>When</th>
                <th>Next</th>
                <th>Last outcome</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {schedules.map((schedule) => (
                <tr key={schedule.id} data-key={schedule.key} data-state={schedule.state}>
                  <td>
                    <a href={`/schedules/${encodeURIComponent(schedule.key)}?project=${encodeURIComponent(schedule.project.key)}`}>{schedule.key}</a>
                    {schedule.note && <div class="muted">{schedule.note}</div>}
                  </td>
                  <td>
                    <a href={workflowPath(schedule.workflow.key, schedule.project.key)}>{schedule.workflow.name}</a>
                  </td>
                  <td>{schedule.state}</td>
                  <td title={schedule.cron}>
                    {cronInWords(schedule.cron)} <span class="muted">({schedule.timezone})</span>
                  </td>
                  <td>
                    {schedule.nextFireTimes.map((time) => (
                      <div key={time}>
                        <RelTime at={time} />
                      </div>
                    ))}
                  </td>
                  <td>
                    {schedule.recentFires[0]?.outcome ?? '—'}
                    {schedule.recentFires[0]?.run && <StatusBadge status={schedule.recentFires[0].run.status} />}
                  </td>
                  <td>
                    {atLeast('OPERATOR') && (
                      <>
                        {schedule.state === 'PAUSED' ? (
                          <button type="button" class="small" onClick={() => act(ResumeSchedule, 'resumeSchedule', schedule.id)}>
                            Resume
                          </button>
                        ) : (
                          <button type="button" class="small" onClick={() => act(PauseSchedule, 'pauseSchedule', schedule.id)}>
                            Pause
                          </button>
                        )}
                        <button type="button" class="small" onClick={() => act(TriggerSchedule, 'triggerSchedule', schedule.id)}>
                          Trigger now
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {schedules.length === 0 && <p class="empty">No schedules.</p>}
        </div>
      )}
      {scheduleKey && schedules?.[0] && <ScheduleDetail schedule={schedules[0]} onDone={() => setReload((value) => value + 1)} />}
    </main>
  );
}
