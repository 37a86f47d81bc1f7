/** Schedules (JOBS.md): the list and one schedule, when the server offers them. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, request } from '../api';
import { ErrorBox, RelTime, StatusBadge } from '../components';
import operations from '../contract/schedules.graphql?raw';
import { contractOperation, queryFields } from '../offered';
import { atLeast } from '../session';

interface Schedule {
  id: string;
  key: string;
  cron: string;
  timezone: string;
  state: string;
  note: string | null;
  nextFireTimes: string[];
  lastFiredAt: string | null;
  workflow: { key: string; name: string };
  recentFires: { nominalTime: string; actualTime: string | null; outcome: string; error: string | null; run: { id: string; status: string } | null }[];
}

const SchedulesQuery = contractOperation<{ schedules: { edges: { node: Schedule }[] } }>(operations, 'Schedules');
const ScheduleQuery = contractOperation<{ schedule: Schedule | null }, { key: string }>(operations, 'Schedule');
type ActionResult = Record<string, { errors: { message: string }[] }>;
const PauseSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'PauseSchedule');
const ResumeSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'ResumeSchedule');
const TriggerSchedule = contractOperation<ActionResult, { input: Record<string, unknown> }>(operations, 'TriggerSchedule');

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

export function NotOffered({ what }: { what: string }) {
  return (
    <p class="not-offered" role="status">
      This server does not offer {what} yet.
    </p>
  );
}

export function SchedulesPage({ scheduleKey }: { scheduleKey?: string }) {
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
      ? request(ScheduleQuery, { key: scheduleKey }).then((data) => (data.schedule ? [data.schedule] : []))
      : request(SchedulesQuery).then((data) => data.schedules.edges.map((edge) => edge.node));
    load.then(setSchedules).catch(setError);
  }, [offered, scheduleKey, reload]);
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
                    <a href={`/schedules/${encodeURIComponent(schedule.key)}`}>{schedule.key}</a>
                    {schedule.note && <div class="muted">{schedule.note}</div>}
                  </td>
                  <td>
                    <a href={`/workflows/${encodeURIComponent(schedule.workflow.key)}`}>{schedule.workflow.name}</a>
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
          {scheduleKey && schedules[0] && (
            <section>
              <h2>Recent fires</h2>
              <ul>
                {schedules[0].recentFires.map((fire) => (
                  <li key={fire.nominalTime}>
                    <RelTime at={fire.nominalTime} /> {fire.outcome} {fire.run && <a href={`/runs/${encodeURIComponent(fire.run.id)}`}>run</a>} {fire.error}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {schedules.length === 0 && <p class="empty">No schedules.</p>}
        </div>
      )}
    </main>
  );
}
