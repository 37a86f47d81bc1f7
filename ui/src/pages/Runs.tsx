/** The runs page (UI.md): table, filter bar, counts, views, live updates, bulk actions, export. */
import { memo } from 'preact/compat';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, download, request, saveBlob, socketState, subscribe } from '../api';
import { ErrorBox, RelTime, StatusBadge, frameBatcher, usePageVisible, useTick } from '../components';
import { type BuilderChips, addCondition, buildFilter, compare } from '../filtertext';
import type { RunRowFragment } from '../gql/graphql';
import { type LiveList, createLiveList, insertPending, mergeChanges } from '../livelist';
import {
  BulkRunActionMutation,
  ExportJobSubscription,
  ExportRunsMutation,
  RunChangedSubscription,
  RunStatsQuery,
  RunsQuery,
  UnblockRunsMutation,
  WorkflowKeysQuery,
} from '../ops';
import { navigate, useRoute } from '../router';
import { atLeast, principal } from '../session';
import { useStore } from '../store';
import { duration } from '../time';
import { BackgroundBulkRunAction, type BulkJob, LiveJob, cancelBulkJob, rememberExport } from './Jobs';
import { queryFields } from '../offered';
import {
  DEFAULT_COLUMNS,
  KNOWN_COLUMNS,
  type OrderField,
  PAGE_SIZES,
  type RunsState,
  formatRunsState,
  parseRunsState,
  toggleOrder,
  withChange,
} from '../urlstate';

export const STATUSES = [
  'PENDING',
  'BLOCKED',
  'RUNNING',
  'PAUSED',
  'CANCELING',
  'COMPLETED',
  'FAILED',
  'TIMED_OUT',
  'CANCELED',
  'TERMINATED',
  'ABANDONED',
];

// The list re-renders at most once a second under a stream of changes (in an animation
// frame each time): a table relayout per message made frames of over 50 ms (bench/ui.py).
const LIST_RENDER_INTERVAL = 1000;

const COLUMN_ORDER: Record<string, OrderField> = {
  status: 'STATUS',
  workflow: 'WORKFLOW_KEY',
  priority: 'PRIORITY',
  created: 'CREATED_AT',
  duration: 'DURATION',
  started: 'STARTED_AT',
  finished: 'FINISHED_AT',
};
const COLUMN_LABEL: Record<string, string> = {
  status: 'Status',
  workflow: 'Workflow',
  subject: 'Subject',
  priority: 'Priority',
  tags: 'Tags',
  created: 'Created',
  duration: 'Duration',
  errors: 'Errors',
  id: 'Id',
  initiatedBy: 'Started by',
  started: 'Started',
  finished: 'Finished',
  tenant: 'Tenant',
};

type Row = RunRowFragment;

// The table's columns have fixed widths (a CSS grid per row, each row of a fixed height and
// `contain: strict`): a live insertion or a ticking relative time then lays out and paints
// the rows it touches, not the whole table (bench/ui.py: whole-table relayouts and repaints
// were the long tasks under a stream of live changes).
const COLUMN_WIDTH: Record<string, [number, number]> = {
  // [min px, flexible share (0: fixed)]
  status: [118, 0],
  workflow: [200, 2],
  subject: [130, 1.4],
  priority: [84, 0],
  tags: [130, 1.4],
  created: [110, 0],
  duration: [90, 0],
  errors: [64, 0],
  id: [290, 0],
  initiatedBy: [150, 1],
  started: [110, 0],
  finished: [110, 0],
  tenant: [110, 0.6],
};
const CHECK_WIDTH = 36;
const columnWidth = (column: string): [number, number] => COLUMN_WIDTH[column] ?? [120, 1];

export function gridColumns(columns: string[]): string {
  return [
    `${CHECK_WIDTH}px`,
    ...columns.map((column) => {
      const [min, share] = columnWidth(column);
      return share ? `minmax(${min}px, ${share}fr)` : `${min}px`;
    }),
  ].join(' ');
}

export function minTableWidth(columns: string[]): number {
  return columns.reduce((sum, column) => sum + columnWidth(column)[0], CHECK_WIDTH);
}

/** Saved views, kept in localStorage: a name and the URL query they stand for. */
interface View {
  name: string;
  query: string;
}
const VIEWS_KEY = 'flowdeck.views';
const DEFAULT_VIEW_KEY = 'flowdeck.defaultView';

function savedViews(): View[] {
  try {
    return JSON.parse(localStorage.getItem(VIEWS_KEY) ?? '[]') as View[];
  } catch {
    return [];
  }
}

function builtInViews(me: string): View[] {
  const dayAgo = new Date(Date.now() - 86400e3).toISOString();
  const view = (name: string, filter: string) => ({ name, query: formatRunsState(parseRunsState(new URLSearchParams({ filter }))) });
  return [
    view('Running', compare('status', 'eq', 'RUNNING')),
    view('Failed in the last 24 h', `${compare('status', 'eq', 'FAILED')} and ${compare('finished_at', 'ge', dayAgo)}`),
    view('Blocked', compare('status', 'eq', 'BLOCKED')),
    view('Started by me', compare('initiated_by', 'eq', `apikey:${me}`)),
  ];
}

function tagValue(row: Row, key: string): string {
  return row.tags.find((tag) => tag.key === key)?.value ?? '';
}

export function RunsPage() {
  const { query } = useRoute();
  const me = useStore(principal);
  // A visit to "/" with no state opens the default view, if the user chose one.
  useEffect(() => {
    if (!query.toString()) {
      const chosen = localStorage.getItem(DEFAULT_VIEW_KEY);
      const view = savedViews().find((item) => item.name === chosen);
      if (view?.query) navigate(`/?${view.query}`, true);
    }
  }, [query]);
  const state = useMemo(() => parseRunsState(query), [query]);
  const setState = useCallback((next: RunsState) => {
    const search = formatRunsState(next);
    navigate(search ? `/?${search}` : '/', true);
  }, []);
  return (
    <main class="page">
      <RunsView state={state} setState={setState} me={me?.name ?? ''} />
    </main>
  );
}

export function RunsView({
  state,
  setState,
  me,
  fixedFilter = '',
}: {
  state: RunsState;
  setState: (state: RunsState) => void;
  me: string;
  fixedFilter?: string;
}) {
  const filter = [fixedFilter, state.filter].filter(Boolean).map((part) => (/\bor\b/i.test(part) ? `(${part})` : part)).join(' and ');
  const [list, setList] = useState<LiveList<Row> | null>(null);
  const [page, setPage] = useState<{ total: number; hasNext: boolean; hasPrev: boolean; start: string | null; end: string | null } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [paused, setPaused] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [reload, setReload] = useState(0);
  const visible = usePageVisible();
  const live = !paused && visible;

  const autoInsertRef = useRef(false);
  autoInsertRef.current = !state.after && !state.before && selected.size === 0 && !allMatching && state.orderField === 'CREATED_AT' && state.direction === 'DESC';

  const variables = useMemo(
    () => ({
      filter: filter || null,
      search: state.search || null,
      orderBy: [{ field: state.orderField, direction: state.direction }],
      ...(state.before ? { last: state.size, before: state.before } : { first: state.size, after: state.after }),
    }),
    [filter, state.search, state.orderField, state.direction, state.size, state.after, state.before],
  );

  useEffect(() => {
    let current = true;
    setLoading(true);
    const loadedAt = new Date().toISOString();
    request(RunsQuery, variables)
      .then((data) => {
        if (!current) return;
        const rows = data.runs.edges.map((edge) => edge.node);
        setList(createLiveList(rows, loadedAt));
        const info = data.runs.pageInfo;
        setPage({ total: data.runs.totalCount, hasNext: info.hasNextPage, hasPrev: info.hasPreviousPage, start: info.startCursor ?? null, end: info.endCursor ?? null });
        setError(null);
        setUpdatedAt(Date.now());
      })
      .catch((caught: ApiError) => current && (setError(caught), setList(null)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [variables, reload]);

  // Counts by status: refreshed at most every 10 s, whatever the rate of changes.
  const [stats, setStats] = useState<{ total: number; byStatus: { status: string; count: number }[] } | null>(null);
  const statsTimer = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  const loadStats = useCallback(() => {
    const gate = statsTimer.current;
    if (gate.timer) return;
    const wait = Math.max(0, gate.last + 10_000 - Date.now());
    gate.timer = setTimeout(() => {
      gate.timer = null;
      gate.last = Date.now();
      request(RunStatsQuery, { filter: fixedFilter || null })
        .then((data) => setStats(data.runStats))
        .catch(() => undefined);
    }, wait);
  }, [fixedFilter]);
  useEffect(() => {
    loadStats();
    return () => {
      if (statsTimer.current.timer) clearTimeout(statsTimer.current.timer);
      statsTimer.current.timer = null;
    };
  }, [loadStats]);

  // Live: runChanged with the same filter, merged once per animation frame.
  useEffect(() => {
    if (!live || error) return;
    const batcher = frameBatcher<Row>((changes) => {
      setList((current) => (current ? mergeChanges(current, changes, { autoInsert: autoInsertRef.current, size: state.size }) : current));
      setUpdatedAt(Date.now());
      loadStats();
    }, LIST_RENDER_INTERVAL);
    const stop = subscribe(RunChangedSubscription, { filter: filter || null }, (data) => batcher.push(data.runChanged));
    return () => {
      stop();
      batcher.cancel();
    };
  }, [live, filter, error === null, state.size, loadStats]);

  // Coming back from a pause or a hidden tab: catch up with one reload.
  const wasLive = useRef(live);
  useEffect(() => {
    if (live && !wasLive.current) setReload((value) => value + 1);
    wasLive.current = live;
  }, [live]);

  const rows = list?.rows ?? [];
  const toggle = useCallback((id: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    setAllMatching(false);
  }, []);
  const stateRef = useRef(state);
  stateRef.current = state;
  const addToFilter = useCallback(
    (condition: string) => setState(withChange(stateRef.current, { filter: addCondition(stateRef.current.filter, condition) })),
    [setState],
  );

  const pickStatus = useCallback((status: string) => addToFilter(compare('status', 'eq', status)), [addToFilter]);

  return (
    <div class="runs-page">
      <div class="page-head">
        {fixedFilter ? <span /> : <h1>Runs</h1>}
        <LiveIndicator paused={paused} hidden={!visible} updatedAt={updatedAt} onToggle={() => setPaused(!paused)} />
      </div>
      {!fixedFilter && <Views state={state} setState={setState} me={me} />}
      <FilterBar state={state} setState={setState} error={error} />
      <StatusCounts stats={stats} onPick={pickStatus} />
      <div class="toolbar">
        {list && list.pending.length > 0 && (
          <button type="button" class="pill" onClick={() => setList(insertPending(list, state.size))}>
            +{list.pending.length} new
          </button>
        )}
        <ColumnChooser state={state} setState={setState} />
        <ExportButton filter={filter} state={state} />
      </div>
      {(selected.size > 0 || allMatching) && (
        <BulkBar
          ids={allMatching ? null : [...selected]}
          filter={filter}
          total={page?.total ?? 0}
          allMatching={allMatching}
          onAllMatching={() => setAllMatching(true)}
          onDone={() => {
            setSelected(new Set());
            setAllMatching(false);
            setReload((value) => value + 1);
          }}
        />
      )}
      {error ? null : (
        <div class="table-wrap" aria-busy={loading}>
          <table class="runs" role="table" style={{ '--runs-columns': gridColumns(state.columns), minWidth: `${minTableWidth(state.columns)}px` }}>
            <thead role="rowgroup">
              <tr role="row">
                <th class="check" role="columnheader">
                  <input
                    type="checkbox"
                    aria-label="Select every run on this page"
                    checked={rows.length > 0 && rows.every((row) => selected.has(row.id))}
                    onChange={(event) => setSelected(event.currentTarget.checked ? new Set(rows.map((row) => row.id)) : new Set())}
                  />
                </th>
                {state.columns.map((column) => {
                  const field = COLUMN_ORDER[column];
                  const label = COLUMN_LABEL[column] ?? column;
                  if (!field)
                    return (
                      <th key={column} data-col={column} role="columnheader">
                        {label}
                      </th>
                    );
                  const active = state.orderField === field;
                  return (
                    <th key={column} data-col={column} role="columnheader" aria-sort={active ? (state.direction === 'ASC' ? 'ascending' : 'descending') : 'none'}>
                      <button type="button" class="sort" onClick={() => setState(toggleOrder(state, field))}>
                        {label} {active ? (state.direction === 'ASC' ? '▲' : '▼') : ''}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody role="rowgroup">
              {rows.map((row) => (
                <RunRowView key={row.id} row={row} columns={state.columns} selected={selected.has(row.id) || allMatching} onToggle={toggle} onAdd={addToFilter} />
              ))}
            </tbody>
          </table>
          {list && rows.length === 0 && <p class="empty">No runs match.</p>}
        </div>
      )}
      <div class="pager">
        <span class="muted">{page ? `${page.total} runs` : ''}</span>
        <label>
          Page size{' '}
          <select value={state.size} onChange={(event) => setState(withChange(state, { size: Number(event.currentTarget.value) }))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!page?.hasPrev} onClick={() => setState(withChange(state, { before: page?.start ?? null, after: null }))}>
          ← Newer
        </button>
        <button type="button" disabled={!page?.hasNext} onClick={() => setState(withChange(state, { after: page?.end ?? null, before: null }))}>
          Older →
        </button>
      </div>
    </div>
  );
}

// Memoized: a live change re-renders only the rows it changed (unchanged rows keep their object).
const RunRowView = memo(function RunRowView({
  row,
  columns,
  selected,
  onToggle,
  onAdd,
}: {
  row: Row;
  columns: string[];
  selected: boolean;
  onToggle: (id: string) => void;
  onAdd: (condition: string) => void;
}) {
  const cell = (column: string) => {
    switch (column) {
      case 'status':
        return (
          <button type="button" class="cell-value" title="Add to the filter" onClick={() => onAdd(compare('status', 'eq', row.status))}>
            <StatusBadge status={row.status} />
          </button>
        );
      case 'workflow':
        return (
          <>
            <a href={`/runs/${encodeURIComponent(row.id)}`} class="run-link">
              {row.workflow.name}
            </a>{' '}
            <button type="button" class="cell-value muted" title="Add to the filter" onClick={() => onAdd(compare('workflow_key', 'eq', row.workflow.key))}>
              {row.workflow.key} v{row.workflowVersion}
            </button>
          </>
        );
      case 'subject':
        return row.subject ? (
          <button type="button" class="cell-value" title="Add to the filter" onClick={() => onAdd(compare('subject_id', 'eq', row.subject!.id))}>
            {row.subject.name ?? row.subject.id}
          </button>
        ) : (
          <span class="muted">—</span>
        );
      case 'priority':
        return (
          <button type="button" class="cell-value" onClick={() => onAdd(compare('priority', 'eq', row.priority))}>
            {row.priority}
          </button>
        );
      case 'tags':
        return row.tags.map((tag) => (
          <button type="button" key={tag.key} class="tag cell-value" onClick={() => onAdd(compare(`tags.${tag.key}`, 'eq', tag.value))}>
            {tag.key}={tag.value}
          </button>
        ));
      case 'created':
        return <RelTime at={row.createdAt} />;
      case 'started':
        return <RelTime at={row.startedAt} />;
      case 'finished':
        return <RelTime at={row.finishedAt} />;
      case 'duration':
        return duration(row.durationSeconds);
      case 'errors':
        return row.errorCount ? <span class="err" title={row.error?.message ?? ''}>{row.errorCount}</span> : <span class="muted">0</span>;
      case 'id':
        return <code>{row.id}</code>;
      case 'initiatedBy':
        return row.initiatedBy;
      case 'tenant':
        return row.tenant ?? '—';
      default:
        if (column.startsWith('tags.')) {
          const key = column.slice(5);
          const value = tagValue(row, key);
          return value ? (
            <button type="button" class="cell-value" onClick={() => onAdd(compare(column, 'eq', value))}>
              {value}
            </button>
          ) : (
            <span class="muted">—</span>
          );
        }
        return null;
    }
  };
  return (
    <tr data-run-id={row.id} data-status={row.status} class={selected ? 'selected' : ''} role="row">
      <td class="check" role="cell">
        <input type="checkbox" aria-label={`Select run ${row.id}`} checked={selected} onChange={() => onToggle(row.id)} />
      </td>
      {columns.map((column) => (
        <td key={column} data-col={column} role="cell">
          {cell(column)}
        </td>
      ))}
    </tr>
  );
});

function LiveIndicator({ paused, hidden, updatedAt, onToggle }: { paused: boolean; hidden: boolean; updatedAt: number | null; onToggle: () => void }) {
  const socket = useStore(socketState);
  const now = useTick();
  const state = paused ? 'paused' : hidden ? 'paused' : socket === 'connected' ? 'live' : socket;
  const label = paused ? 'Paused' : hidden ? 'Paused (tab hidden)' : socket === 'connected' ? 'Live' : socket === 'connecting' ? 'Connecting…' : 'Offline';
  const ago = updatedAt ? Math.max(0, Math.round((now - updatedAt) / 1000)) : null;
  return (
    <div class={`live live-${state}`} data-state={state}>
      <span class="dot" aria-hidden="true" />
      <span class="live-label">{label}</span>
      {ago !== null && <span class="muted">updated {ago} s ago</span>}
      <button type="button" class="small" onClick={onToggle}>
        {paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}

// The page's controls are memoized (as the rows are): a live change re-renders only the rows it touches.
const StatusCounts = memo(function StatusCounts({ stats, onPick }: { stats: { total: number; byStatus: { status: string; count: number }[] } | null; onPick: (status: string) => void }) {
  if (!stats) return <div class="counts" />;
  return (
    <div class="counts" aria-label="Runs by status">
      {stats.byStatus
        .filter((item) => item.count > 0)
        .map((item) => (
          <button type="button" key={item.status} class={`count status-${item.status}`} data-status={item.status} onClick={() => onPick(item.status)}>
            {item.status.replace('_', ' ')} <b>{item.count}</b>
          </button>
        ))}
    </div>
  );
});

const FilterBar = memo(function FilterBar({ state, setState, error }: { state: RunsState; setState: (state: RunsState) => void; error: ApiError | null }) {
  const [text, setText] = useState(state.filter);
  const [search, setSearch] = useState(state.search);
  const [builder, setBuilder] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(state.filter), [state.filter]);
  useEffect(() => setSearch(state.search), [state.search]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
        event.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const badFilter = error?.code === 'BAD_FILTER' ? error : null;
  useEffect(() => {
    if (badFilter?.position != null && input.current) {
      input.current.focus();
      input.current.setSelectionRange(badFilter.position, Math.min(badFilter.position + 1, state.filter.length));
    }
  }, [badFilter]);
  return (
    <section class="filterbar">
      <form
        class="filter-row"
        onSubmit={(event) => {
          event.preventDefault();
          setState(withChange(state, { filter: text.trim(), search: search.trim() }));
        }}
      >
        <input
          ref={input}
          class={`filter-input ${badFilter ? 'invalid' : ''}`}
          name="filter"
          aria-label="Filter (FILTER.md), press / to focus"
          placeholder='Filter, e.g. status eq "FAILED" and tags.region eq "eu"   ( / )'
          value={text}
          spellcheck={false}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <input class="search-input" name="search" type="search" aria-label="Search" placeholder="Search id, workflow, subject" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
        <button type="submit" class="primary">
          Apply
        </button>
        <button type="button" onClick={() => setBuilder(!builder)} aria-expanded={builder}>
          Builder
        </button>
        {(state.filter || state.search) && (
          <button type="button" class="ghost" onClick={() => setState(withChange(state, { filter: '', search: '' }))}>
            Clear
          </button>
        )}
      </form>
      {badFilter && (
        <div class="bad-filter" role="alert" data-position={badFilter.position ?? ''}>
          <div>{badFilter.message}</div>
          {badFilter.position != null && (
            <pre class="caret">
              {state.filter}
              {'\n'}
              {' '.repeat(badFilter.position)}^
            </pre>
          )}
        </div>
      )}
      {error && !badFilter && <ErrorBox error={error} />}
      {builder && <FilterBuilder onApply={(built) => setState(withChange(state, { filter: addCondition(state.filter, built) }))} />}
    </section>
  );
});

function FilterBuilder({ onApply }: { onApply: (filter: string) => void }) {
  const [chips, setChips] = useState<BuilderChips>({ statuses: [], workflow: '', tags: [], range: '' });
  const [workflows, setWorkflows] = useState<{ key: string; name: string }[]>([]);
  const [tagKey, setTagKey] = useState('');
  const [tagValueText, setTagValue] = useState('');
  useEffect(() => {
    request(WorkflowKeysQuery)
      .then((data) => setWorkflows(data.workflows.edges.map((edge) => edge.node)))
      .catch(() => undefined);
  }, []);
  const preview = buildFilter(chips, new Date());
  return (
    <div class="builder">
      <fieldset>
        <legend>Status</legend>
        {STATUSES.map((status) => (
          <label key={status} class="chip">
            <input
              type="checkbox"
              checked={chips.statuses.includes(status)}
              onChange={(event) =>
                setChips({ ...chips, statuses: event.currentTarget.checked ? [...chips.statuses, status] : chips.statuses.filter((item) => item !== status) })
              }
            />
            {status}
          </label>
        ))}
      </fieldset>
      <label>
        Workflow{' '}
        <select value={chips.workflow} onChange={(event) => setChips({ ...chips, workflow: event.currentTarget.value })}>
          <option value="">any</option>
          {workflows.map((workflow) => (
            <option key={workflow.key} value={workflow.key}>
              {workflow.name} ({workflow.key})
            </option>
          ))}
        </select>
      </label>
      <span class="tag-chip">
        Tag <input aria-label="Tag key" placeholder="key" value={tagKey} size={8} onInput={(event) => setTagKey(event.currentTarget.value)} />=
        <input aria-label="Tag value" placeholder="value" value={tagValueText} size={8} onInput={(event) => setTagValue(event.currentTarget.value)} />
        <button
          type="button"
          class="small"
          onClick={() => {
            if (tagKey) setChips({ ...chips, tags: [...chips.tags, { key: tagKey, value: tagValueText }] });
            setTagKey('');
            setTagValue('');
          }}
        >
          Add
        </button>
      </span>
      <label>
        Created{' '}
        <select value={chips.range} onChange={(event) => setChips({ ...chips, range: event.currentTarget.value })}>
          <option value="">any time</option>
          <option value="1h">last 1 h</option>
          <option value="24h">last 24 h</option>
          <option value="7d">last 7 d</option>
          <option value="custom">custom</option>
        </select>
      </label>
      {chips.range === 'custom' && (
        <span>
          <input type="datetime-local" aria-label="From" onInput={(event) => setChips({ ...chips, customFrom: event.currentTarget.value })} />
          –
          <input type="datetime-local" aria-label="To" onInput={(event) => setChips({ ...chips, customTo: event.currentTarget.value })} />
        </span>
      )}
      <code class="preview">{preview || '(nothing chosen)'}</code>
      <button type="button" class="primary" disabled={!preview} onClick={() => onApply(buildFilter(chips, new Date()))}>
        Add to filter
      </button>
    </div>
  );
}

const ColumnChooser = memo(function ColumnChooser({ state, setState }: { state: RunsState; setState: (state: RunsState) => void }) {
  const [tag, setTag] = useState('');
  const toggle = (column: string) =>
    setState({ ...state, columns: state.columns.includes(column) ? state.columns.filter((item) => item !== column) : [...state.columns, column] });
  return (
    <details class="menu columns">
      <summary>Columns</summary>
      <div class="menu-body">
        {KNOWN_COLUMNS.map((column) => (
          <label key={column}>
            <input type="checkbox" checked={state.columns.includes(column)} onChange={() => toggle(column)} /> {COLUMN_LABEL[column]}
          </label>
        ))}
        {state.columns
          .filter((column) => column.startsWith('tags.'))
          .map((column) => (
            <label key={column}>
              <input type="checkbox" checked onChange={() => toggle(column)} /> {column}
            </label>
          ))}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (tag.trim()) toggle(`tags.${tag.trim()}`);
            setTag('');
          }}
        >
          <input aria-label="Tag column" placeholder="tag key" value={tag} size={10} onInput={(event) => setTag(event.currentTarget.value)} />
          <button type="submit" class="small">
            Add tags.KEY
          </button>
        </form>
        <button type="button" class="small ghost" onClick={() => setState({ ...state, columns: DEFAULT_COLUMNS })}>
          Reset
        </button>
      </div>
    </details>
  );
});

const Views = memo(function Views({ state, setState, me }: { state: RunsState; setState: (state: RunsState) => void; me: string }) {
  const [views, setViews] = useState<View[]>(savedViews);
  const [defaultView, setDefaultView] = useState(localStorage.getItem(DEFAULT_VIEW_KEY) ?? '');
  const current = formatRunsState(state);
  const store = (next: View[]) => {
    localStorage.setItem(VIEWS_KEY, JSON.stringify(next));
    setViews(next);
  };
  const open = (view: View) => setState(parseRunsState(view.query));
  return (
    <div class="views" aria-label="Views">
      <button type="button" class={current === '' ? 'view active' : 'view'} onClick={() => setState(parseRunsState(''))}>
        All runs
      </button>
      {builtInViews(me).map((view) => (
        <button type="button" key={view.name} class={view.query === current ? 'view active' : 'view'} onClick={() => open(view)}>
          {view.name}
        </button>
      ))}
      {views.map((view) => (
        <span key={view.name} class={`view saved ${view.query === current ? 'active' : ''}`} data-view={view.name}>
          <button type="button" class="view-open" onClick={() => open(view)}>
            {defaultView === view.name ? '★ ' : ''}
            {view.name}
          </button>
          <a class="view-link" href={`/?${view.query}`} title="Link to this view (shareable)">
            link
          </a>
          <button
            type="button"
            class="small ghost"
            title="Open this view by default"
            onClick={() => {
              const next = defaultView === view.name ? '' : view.name;
              localStorage.setItem(DEFAULT_VIEW_KEY, next);
              setDefaultView(next);
            }}
          >
            ★
          </button>
          <button type="button" class="small ghost" aria-label={`Delete view ${view.name}`} onClick={() => store(views.filter((item) => item.name !== view.name))}>
            ×
          </button>
        </span>
      ))}
      <button
        type="button"
        class="small"
        onClick={() => {
          const name = prompt('Name of this view')?.trim();
          if (name) store([...views.filter((view) => view.name !== name), { name, query: current }]);
        }}
      >
        Save view
      </button>
    </div>
  );
});

const BULK_ACTIONS: { action: string; label: string; role: string }[] = [
  { action: 'CANCEL', label: 'Cancel', role: 'OPERATOR' },
  { action: 'TERMINATE', label: 'Terminate', role: 'OPERATOR' },
  { action: 'PAUSE', label: 'Pause', role: 'OPERATOR' },
  { action: 'RESUME', label: 'Resume', role: 'OPERATOR' },
  { action: 'RETRY', label: 'Retry', role: 'OPERATOR' },
  { action: 'RESTART', label: 'Restart', role: 'ADMIN' },
  { action: 'UNBLOCK', label: 'Unblock', role: 'OPERATOR' },
  { action: 'ABANDON', label: 'Abandon', role: 'OPERATOR' },
];

/** JOBS.md: a bulk action over more runs than this runs as a bulk job. */
const SYNC_LIMIT = 1000;

interface BulkResult {
  matched: number;
  succeeded: number;
  failed: number;
  dryRun: boolean;
  failures: { runId: string; code: string; message: string }[];
  errors: { code: string; message: string }[];
}

function BulkBar({ ids, filter, total, allMatching, onAllMatching, onDone }: { ids: string[] | null; filter: string; total: number; allMatching: boolean; onAllMatching: () => void; onDone: () => void }) {
  const [action, setAction] = useState('');
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<BulkResult | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const actions = BULK_ACTIONS.filter((item) => atLeast(item.role));
  const idFilter = ids ? ids.map((id) => compare('id', 'eq', id)).join(' or ') : null;
  const run = async (dryRun: boolean): Promise<BulkResult> => {
    if (action === 'UNBLOCK' || action === 'ABANDON') {
      const target = ids && ids.length === 1 ? { id: ids[0] } : { filter: idFilter ?? (filter || null) };
      if (dryRun) {
        // unblockRuns has no dry run: count the BLOCKED runs it would touch.
        const countFilter = addCondition(target.filter ?? compare('id', 'eq', ids![0]), compare('status', 'eq', 'BLOCKED'));
        const stats = await request(RunStatsQuery, { filter: countFilter });
        return { matched: stats.runStats.total, succeeded: 0, failed: 0, dryRun: true, failures: [], errors: [] };
      }
      const data = await request(UnblockRunsMutation, { input: { ...target, action: action === 'UNBLOCK' ? 'RUN' : 'ABANDON', reason: reason || null } });
      return data.unblockRuns;
    }
    const target = ids ? { ids } : { filter: filter || null };
    if (!ids && !filter) throw new Error('Choose a filter first: an action on every run is not offered.');
    const data = await request(BulkRunActionMutation, { input: { action: action as never, ...target, reason: reason || null, dryRun } });
    return data.bulkRunAction;
  };
  const [job, setJob] = useState<BulkJob | null>(null);
  // Beyond 1,000 runs the action becomes a bulk job (JOBS.md), when the server offers them.
  const runInBackground = async (): Promise<boolean> => {
    if (!preview || preview.matched <= SYNC_LIMIT || action === 'UNBLOCK' || action === 'ABANDON') return false;
    if (!(await queryFields()).has('bulkJobs')) return false;
    const target = ids ? { ids } : { filter: filter || null };
    const data = await request(BackgroundBulkRunAction, { input: { action, ...target, reason: reason || null, background: true } });
    const payload = data.bulkRunAction;
    if (payload.errors.length) setError(new Error(payload.errors.map((item) => item.message).join('; ')));
    else {
      setJob(payload.job);
      setPreview(null);
    }
    return true;
  };
  const act = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      if (!dryRun && (await runInBackground())) return;
      const answer = await run(dryRun);
      if (answer.errors.length) setError(new Error(answer.errors.map((item) => item.message).join('; ')));
      else if (dryRun) setPreview(answer);
      else {
        setResult(answer);
        setPreview(null);
      }
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="bulk" aria-label="Bulk action">
      <span>
        {allMatching ? `All ${total} runs matching the filter` : `${ids?.length ?? 0} selected`}
        {!allMatching && filter && (
          <button type="button" class="small ghost" onClick={onAllMatching}>
            Select all {total} matching
          </button>
        )}
      </span>
      {actions.length === 0 && <span class="muted">Your role cannot act on runs.</span>}
      {actions.length > 0 && (
        <>
          <select aria-label="Bulk action" value={action} onChange={(event) => (setAction(event.currentTarget.value), setPreview(null), setResult(null))}>
            <option value="">Action…</option>
            {actions.map((item) => (
              <option key={item.action} value={item.action}>
                {item.label}
              </option>
            ))}
          </select>
          <input aria-label="Reason" placeholder="reason (optional)" value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
          <button type="button" disabled={!action || busy} onClick={() => act(true)}>
            Preview
          </button>
        </>
      )}
      {preview && (
        <span class="confirm" role="status">
          This would {action.toLowerCase()} <b class="dry-count">{preview.matched}</b> run{preview.matched === 1 ? '' : 's'}.{' '}
          <button type="button" class="danger" disabled={busy} onClick={() => act(false)}>
            Confirm {action.toLowerCase()}
          </button>
          <button type="button" class="ghost" onClick={() => setPreview(null)}>
            Back
          </button>
        </span>
      )}
      {result && (
        <div class="bulk-result" role="status">
          <b class="succeeded">{result.succeeded} succeeded</b>, <b class="failed">{result.failed} failed</b>
          {result.failures.length > 0 && (
            <ul>
              {result.failures.map((failure) => (
                <li key={failure.runId}>
                  <a href={`/runs/${encodeURIComponent(failure.runId)}`}>{failure.runId}</a>: {failure.message}
                </li>
              ))}
              {result.failed > result.failures.length && <li>{result.failed - result.failures.length} more</li>}
            </ul>
          )}
          <button type="button" class="small" onClick={onDone}>
            Done
          </button>
        </div>
      )}
      {job && (
        <div class="table-wrap bulk-job" role="status">
          <p class="bulk-job-note">
            Over {SYNC_LIMIT.toLocaleString('en')} runs: running as a bulk job. <a href="/jobs">All jobs</a>
          </p>
          <table>
            <tbody>
              <LiveJob
                job={job}
                onCancel={async () => {
                  const failure = await cancelBulkJob(job.id).catch((caught: Error) => caught.message);
                  if (failure) setError(new Error(failure));
                }}
              />
            </tbody>
          </table>
        </div>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

interface ExportState {
  id: string;
  status: string;
  progress: number;
  rowCount: number;
  url?: string | null;
  error?: string | null;
  format: string;
}

const ExportButton = memo(function ExportButton({ filter, state }: { filter: string; state: RunsState }) {
  const [job, setJob] = useState<ExportState | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [format, setFormat] = useState<'CSV' | 'JSONL'>('CSV');
  useEffect(() => {
    if (!job || job.status === 'COMPLETED' || job.status === 'FAILED') return;
    return subscribe(ExportJobSubscription, { id: job.id }, (data) => setJob(data.exportJob), setError);
  }, [job?.id, job?.status === 'COMPLETED' || job?.status === 'FAILED']);
  const start = async () => {
    setError(null);
    try {
      const data = await request(ExportRunsMutation, { input: { filter: filter || null, format, orderBy: [{ field: state.orderField, direction: state.direction }] } });
      if (data.exportRuns.errors.length) setError(new Error(data.exportRuns.errors.map((item) => item.message).join('; ')));
      else {
        setJob(data.exportRuns.job!);
        rememberExport(data.exportRuns.job!.id);
      }
    } catch (caught) {
      setError(caught as Error);
    }
  };
  return (
    <span class="export">
      <select aria-label="Export format" value={format} onChange={(event) => setFormat(event.currentTarget.value as 'CSV' | 'JSONL')}>
        <option value="CSV">CSV</option>
        <option value="JSONL">JSONL</option>
      </select>
      <button type="button" onClick={start} disabled={!!job && job.status !== 'COMPLETED' && job.status !== 'FAILED'}>
        Export
      </button>
      {job && (
        <span class="export-job" data-status={job.status}>
          <progress max={1} value={job.progress} /> {Math.round(job.progress * 100)}% · {job.rowCount} rows
          {job.status === 'COMPLETED' && job.url && (
            <button
              type="button"
              class="small primary"
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
          {job.status === 'FAILED' && <span class="err">{job.error}</span>}
        </span>
      )}
      <ErrorBox error={error} />
    </span>
  );
});
