/** Workflows: the list; one workflow's versions with their DAG, counts, runs and a start form. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type ApiError, request } from '../api';
import { ErrorBox, RelTime } from '../components';
import { dagInput, layoutDag } from '../dag';
import { compare } from '../filtertext';
import type { WorkflowQuery as WorkflowResult } from '../gql/graphql';
import { RunQuery, RunStatsQuery, StartRunMutation, WorkflowQuery, WorkflowsQuery } from '../ops';
import { navigate, useRoute } from '../router';
import { atLeast, principal } from '../session';
import { useStore } from '../store';
import { DEFAULT_STATE, type RunsState } from '../urlstate';
import { RunsView } from './Runs';

/** A workflow's page; the project names it for a key that spans projects (SUPERADMIN). */
export function workflowPath(key: string, project: string, extra = ''): string {
  return `/workflows/${encodeURIComponent(key)}?project=${encodeURIComponent(project)}${extra}`;
}

export function WorkflowsPage() {
  const [data, setData] = useState<{ key: string; name: string; description?: string | null; version: number; updatedAt: string; project: { key: string } }[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    request(WorkflowsQuery)
      .then((result) => setData(result.workflows.edges.map((edge) => edge.node)))
      .catch(setError);
  }, []);
  return (
    <main class="page">
      <h1>Workflows</h1>
      <ErrorBox error={error} />
      {data && (
        <div class="table-wrap">
          <table class="workflows">
            <thead>
              <tr>
                <th>Workflow</th>
                <th>Key</th>
                <th>Version</th>
                <th>Project</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.map((workflow) => (
                <tr key={`${workflow.project.key}/${workflow.key}`} data-key={workflow.key}>
                  <td>
                    <a href={workflowPath(workflow.key, workflow.project.key)}>{workflow.name}</a>
                    {workflow.description && <div class="muted">{workflow.description}</div>}
                  </td>
                  <td>
                    <code>{workflow.key}</code>
                  </td>
                  <td>v{workflow.version}</td>
                  <td>{workflow.project.key}</td>
                  <td>
                    <RelTime at={workflow.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.length === 0 && <p class="empty">No workflows yet.</p>}
        </div>
      )}
    </main>
  );
}

type Workflow = NonNullable<WorkflowResult['workflow']>;

function VersionDag({ steps }: { steps: Workflow['versions'][number]['steps'] }) {
  const layout = useMemo(() => layoutDag(dagInput(steps.map((step) => ({ ...step, status: null })))), [steps]);
  return (
    <div class="dag">
      <svg width={layout.width} height={layout.height} role="img" aria-label="Step graph">
        {layout.edges.map((edge) => (
          <polyline key={`${edge.from}-${edge.to}`} class="edge" points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')} />
        ))}
        {layout.nodes.map((node) => (
          <g key={node.ref} class="node" data-ref={node.ref} transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}>
            <rect class="box" width={node.width} height={node.height} rx="6" />
            <text x="10" y="18" class="node-label">
              {node.label}
            </text>
            <text x="10" y="35" class="node-meta">
              {node.type}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}

export function WorkflowPage({ workflowKey }: { workflowKey: string }) {
  const { query } = useRoute();
  const me = useStore(principal);
  const [workflow, setWorkflow] = useState<Workflow | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [stats, setStats] = useState<{ status: string; count: number }[]>([]);
  const [runsState, setRunsState] = useState<RunsState>({ ...DEFAULT_STATE, size: 25 });
  const project = query.get('project');
  const fixed = compare('workflow_key', 'eq', workflowKey);
  useEffect(() => {
    request(WorkflowQuery, { key: workflowKey, project })
      .then((result) => setWorkflow(result.workflow ?? null))
      .catch(setError);
    request(RunStatsQuery, { filter: fixed })
      .then((result) => setStats(result.runStats.byStatus))
      .catch(setError);
  }, [workflowKey, project]);
  if (error) return <main class="page"><ErrorBox error={error} /></main>;
  if (workflow === undefined) return <main class="page loading">Loading…</main>;
  if (workflow === null) return <main class="page"><h1>Workflow not found</h1></main>;
  const shown = workflow.versions.find((item) => item.version === (version ?? workflow.version)) ?? workflow.versions[workflow.versions.length - 1];
  return (
    <main class="page workflow-page">
      <h1>
        {workflow.name} <span class="muted">{workflow.key}</span>
      </h1>
      {workflow.description && <p>{workflow.description}</p>}
      <div class="counts">
        {stats
          .filter((item) => item.count > 0)
          .map((item) => (
            <span key={item.status} class={`count status-${item.status}`} data-status={item.status}>
              {item.status} <b>{item.count}</b>
            </span>
          ))}
      </div>
      <section>
        <h2>
          Version{' '}
          <select aria-label="Version" value={shown?.version} onChange={(event) => setVersion(Number(event.currentTarget.value))}>
            {workflow.versions.map((item) => (
              <option key={item.version} value={item.version}>
                v{item.version}
              </option>
            ))}
          </select>
        </h2>
        {shown && (
          <>
            <p class="muted">
              by {shown.createdBy}, <RelTime at={shown.createdAt} />, {shown.steps.length} steps, at most {shown.maxParallelSteps} in parallel
            </p>
            <VersionDag steps={shown.steps} />
          </>
        )}
      </section>
      {atLeast('OPERATOR') && <StartForm workflowKey={workflowKey} project={workflow.project.key} likeRun={query.get('start')} />}
      <section>
        <h2>Runs</h2>
        <RunsView state={runsState} setState={setRunsState} me={me?.name ?? ''} fixedFilter={fixed} />
      </section>
    </main>
  );
}

function StartForm({ workflowKey, project, likeRun }: { workflowKey: string; project: string; likeRun: string | null }) {
  const [input, setInput] = useState('{}');
  const [subject, setSubject] = useState({ type: '', id: '', name: '' });
  const [priority, setPriority] = useState('NORMAL');
  const [tags, setTags] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  // "start a run like this one": the form prefilled from that run
  useEffect(() => {
    if (!likeRun) return;
    request(RunQuery, { id: likeRun })
      .then((result) => {
        const run = result.run;
        if (!run) return;
        setInput(JSON.stringify(run.input ?? {}, null, 2));
        if (run.subject) setSubject({ type: run.subject.type, id: run.subject.id, name: run.subject.name ?? '' });
        setPriority(run.priority);
        setTags(run.tags.map((tag) => `${tag.key}=${tag.value}`).join(', '));
      })
      .catch(setError);
  }, [likeRun]);
  return (
    <section class="start-form">
      <h2>Start a run</h2>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          let parsed: unknown;
          try {
            parsed = input.trim() ? JSON.parse(input) : null;
          } catch (caught) {
            setError(new Error(`The input is not valid JSON: ${(caught as Error).message}`));
            return;
          }
          setBusy(true);
          try {
            const tagList = tags
              .split(',')
              .map((item) => item.trim())
              .filter(Boolean)
              .map((item) => {
                const [key, ...rest] = item.split('=');
                return { key: key.trim(), value: rest.join('=').trim() };
              });
            const result = await request(StartRunMutation, {
              input: {
                workflowKey,
                project,
                input: parsed,
                priority: priority as never,
                tags: tagList.length ? tagList : null,
                reason: reason || null,
                subject: subject.type && subject.id ? { type: subject.type, id: subject.id, name: subject.name || null } : null,
              },
            });
            const payload = result.startRun;
            if (payload.errors.length) setError(new Error(payload.errors.map((item) => `${item.field?.join('.') ?? ''} ${item.message}`.trim()).join('; ')));
            else if (payload.run) navigate(`/runs/${encodeURIComponent(payload.run.id)}`);
          } catch (caught) {
            setError(caught as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Input (JSON)
          <textarea name="input" rows={6} spellcheck={false} value={input} onInput={(event) => setInput(event.currentTarget.value)} />
        </label>
        <div class="row">
          <label>
            Subject type
            <input name="subjectType" value={subject.type} onInput={(event) => setSubject({ ...subject, type: event.currentTarget.value })} />
          </label>
          <label>
            Subject id
            <input name="subjectId" value={subject.id} onInput={(event) => setSubject({ ...subject, id: event.currentTarget.value })} />
          </label>
          <label>
            Subject name
            <input name="subjectName" value={subject.name} onInput={(event) => setSubject({ ...subject, name: event.currentTarget.value })} />
          </label>
        </div>
        <div class="row">
          <label>
            Priority
            <select name="priority" value={priority} onChange={(event) => setPriority(event.currentTarget.value)}>
              {['LOW', 'NORMAL', 'HIGH', 'CRITICAL'].map((item) => (
                <option key={item}>{item}</option>
              ))}
            </select>
          </label>
          <label>
            Tags (key=value, …)
            <input name="tags" value={tags} onInput={(event) => setTags(event.currentTarget.value)} />
          </label>
          <label>
            Reason
            <input name="reason" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
          </label>
        </div>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          Start run
        </button>
      </form>
    </section>
  );
}
