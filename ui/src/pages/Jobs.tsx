/** Jobs: bulk jobs (JOBS.md, when the server offers them) and this tab's export jobs. */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, download, request, saveBlob, subscribe } from '../api';
import { ErrorBox, NotOffered, RelTime } from '../components';
import operations from '../contract/jobs.graphql?raw';
import { contractOperation, queryFields } from '../offered';
import { ExportJobQuery, ExportJobSubscription } from '../ops';
import { atLeast } from '../session';

export interface BulkJob {
  id: string;
  action: string;
  status: string;
  filter: string | null;
  matched: number;
  processed: number;
  succeeded: number;
  failed: number;
  progress: number;
  error: string | null;
  initiatedBy: string;
  createdAt: string;
}
const BulkJobsQuery = contractOperation<{ bulkJobs: { edges: { node: BulkJob }[] } }>(operations, 'BulkJobs');
const BulkJobSubscription = contractOperation<{ bulkJob: BulkJob }, { id: string }>(operations, 'BulkJob');
export const BackgroundBulkRunAction = contractOperation<
  { bulkRunAction: { matched: number; job: BulkJob | null; errors: { message: string }[] } },
  { input: Record<string, unknown> }
>(operations, 'BackgroundBulkRunAction');
const CancelBulkJob = contractOperation<{ cancelBulkJob: { errors: { message: string }[] } }, { id: string }>(operations, 'CancelBulkJob');

const ACTIVE = new Set(['PENDING', 'RUNNING']);

// The API lists no export jobs: the ones started in this browser are remembered here.
const EXPORTS_KEY = 'flowdeck.exports';

function rememberedExports(): string[] {
  try {
    return JSON.parse(localStorage.getItem(EXPORTS_KEY) ?? '[]') as string[];
  } catch {
    return [];
  }
}

export function rememberExport(id: string): void {
  localStorage.setItem(EXPORTS_KEY, JSON.stringify([id, ...rememberedExports().filter((item) => item !== id)].slice(0, 20)));
}

interface ExportJob {
  id: string;
  status: string;
  progress: number;
  rowCount: number;
  url?: string | null;
  error?: string | null;
  format: string;
  filter?: string | null;
  createdAt?: string;
}

function ExportRow({ id }: { id: string }) {
  const [job, setJob] = useState<ExportJob | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    request(ExportJobQuery, { id })
      .then((data) => setJob(data.exportJob ?? null))
      .catch(setError);
  }, [id]);
  const active = job !== null && ACTIVE.has(job.status);
  useEffect(() => {
    if (!active) return;
    return subscribe(ExportJobSubscription, { id }, (data) => setJob((current) => ({ ...current, ...data.exportJob })), setError);
  }, [id, active]);
  if (!job) return error ? <tr><td colSpan={5}><ErrorBox error={error} /></td></tr> : null;
  return (
    <tr data-export={job.id} data-status={job.status}>
      <td>{job.format}</td>
      <td>{job.status}</td>
      <td>
        <progress max={1} value={job.progress} /> {job.rowCount} rows
      </td>
      <td>
        <code>{job.filter ?? ''}</code>
      </td>
      <td>
        {job.status === 'COMPLETED' && job.url && (
          <button
            type="button"
            class="small"
            onClick={async () => {
              try {
                saveBlob(await download(job.url!), `runs.${job.format === 'CSV' ? 'csv' : 'jsonl'}`);
              } catch (caught) {
                setError(caught as Error);
              }
            }}
          >
            Download
          </button>
        )}
        {job.error && <span class="err">{job.error}</span>}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}

function ExportJobs() {
  const ids = rememberedExports();
  return (
    <section>
      <h2>Exports started in this browser</h2>
      {ids.length === 0 ? (
        <p class="muted">None yet: export from the runs page.</p>
      ) : (
        <div class="table-wrap">
          <table class="exports">
            <thead>
              <tr>
                <th>Format</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Filter</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {ids.map((id) => (
                <ExportRow key={id} id={id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function LiveJob({ job, onCancel }: { job: BulkJob; onCancel: () => void }) {
  const [current, setCurrent] = useState(job);
  useEffect(() => {
    if (!ACTIVE.has(job.status)) return;
    return subscribe(BulkJobSubscription, { id: job.id }, (data) => setCurrent(data.bulkJob));
  }, [job.id, job.status]);
  return (
    <tr data-job={current.id} data-status={current.status}>
      <td>{current.action}</td>
      <td class="job-status">{current.status}</td>
      <td class="job-progress">
        <progress max={1} value={current.progress} /> {current.processed}/{current.matched}
      </td>
      <td class="job-result">
        {current.succeeded} ok, {current.failed} failed {current.error && <span class="err">{current.error}</span>}
      </td>
      <td>
        <code>{current.filter ?? ''}</code>
      </td>
      <td>
        <RelTime at={current.createdAt} />
      </td>
      <td>
        {ACTIVE.has(current.status) && atLeast('OPERATOR') && (
          <button type="button" class="small danger" onClick={onCancel}>
            Cancel
          </button>
        )}
      </td>
    </tr>
  );
}

/** Cancels a bulk job; resolves to an error message, or null. */
export async function cancelBulkJob(id: string): Promise<string | null> {
  const data = await request(CancelBulkJob, { id });
  return data.cancelBulkJob.errors.length ? data.cancelBulkJob.errors.map((item) => item.message).join('; ') : null;
}

export function JobsPage() {
  const [offered, setOffered] = useState<boolean | null>(null);
  const [jobs, setJobs] = useState<BulkJob[] | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    queryFields()
      .then((fields) => setOffered(fields.has('bulkJobs')))
      .catch(setError);
  }, []);
  useEffect(() => {
    if (!offered) return;
    request(BulkJobsQuery)
      .then((data) => setJobs(data.bulkJobs.edges.map((edge) => edge.node)))
      .catch(setError);
  }, [offered, reload]);
  return (
    <main class="page">
      <h1>Jobs</h1>
      <ErrorBox error={error} />
      <h2>Bulk jobs</h2>
      {offered === false && <NotOffered what="bulk jobs" />}
      {jobs && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Action</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Result</th>
                <th>Filter</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <LiveJob
                  key={job.id}
                  job={job}
                  onCancel={async () => {
                    try {
                      const failure = await cancelBulkJob(job.id);
                      if (failure) setError(new Error(failure));
                      setReload((value) => value + 1);
                    } catch (caught) {
                      setError(caught as Error);
                    }
                  }}
                />
              ))}
            </tbody>
          </table>
          {jobs.length === 0 && <p class="empty">No bulk jobs.</p>}
        </div>
      )}
      <ExportJobs />
    </main>
  );
}
