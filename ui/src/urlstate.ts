/**
 * The runs page's whole state lives in the URL (UI.md), so a link reproduces the view.
 * Pure functions: parse a query string into RunsState and back, with defaults left out.
 */

export const ORDER_FIELDS = [
  'CREATED_AT',
  'UPDATED_AT',
  'STARTED_AT',
  'FINISHED_AT',
  'PRIORITY',
  'STATUS',
  'WORKFLOW_KEY',
  'DURATION',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];
export type Direction = 'ASC' | 'DESC';

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_COLUMNS = ['status', 'workflow', 'subject', 'priority', 'tags', 'created', 'duration', 'errors'];
export const KNOWN_COLUMNS = [...DEFAULT_COLUMNS, 'id', 'initiatedBy', 'started', 'finished', 'tenant'];

export interface RunsState {
  filter: string;
  search: string;
  orderField: OrderField;
  direction: Direction;
  size: number;
  after: string | null;
  before: string | null;
  columns: string[];
}

export const DEFAULT_STATE: RunsState = {
  filter: '',
  search: '',
  orderField: 'CREATED_AT',
  direction: 'DESC',
  size: 50,
  after: null,
  before: null,
  columns: DEFAULT_COLUMNS,
};

function isColumn(name: string): boolean {
  return KNOWN_COLUMNS.includes(name) || /^tags\.[A-Za-z0-9_.:-]+$/.test(name);
}

export function parseRunsState(query: URLSearchParams | string): RunsState {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const [field, dir] = (params.get('order') ?? '').split('.');
  const size = Number(params.get('size'));
  const columns = (params.get('cols') ?? '').split(',').filter(isColumn);
  return {
    filter: params.get('filter') ?? '',
    search: params.get('q') ?? '',
    orderField: (ORDER_FIELDS as readonly string[]).includes(field) ? (field as OrderField) : DEFAULT_STATE.orderField,
    direction: dir === 'ASC' || dir === 'DESC' ? dir : DEFAULT_STATE.direction,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_STATE.size,
    after: params.get('after'),
    before: params.get('after') ? null : params.get('before'),
    columns: columns.length ? columns : DEFAULT_STATE.columns,
  };
}

/** The query string for `state` (no leading '?'); defaults are left out so links stay short. */
export function formatRunsState(state: RunsState): string {
  const params = new URLSearchParams();
  if (state.filter) params.set('filter', state.filter);
  if (state.search) params.set('q', state.search);
  if (state.orderField !== DEFAULT_STATE.orderField || state.direction !== DEFAULT_STATE.direction) {
    params.set('order', `${state.orderField}.${state.direction}`);
  }
  if (state.size !== DEFAULT_STATE.size) params.set('size', String(state.size));
  if (state.after) params.set('after', state.after);
  else if (state.before) params.set('before', state.before);
  if (state.columns.join(',') !== DEFAULT_STATE.columns.join(',')) params.set('cols', state.columns.join(','));
  return params.toString();
}

/** A change of filter, search, order or size starts again from the first page. */
export function withChange(state: RunsState, change: Partial<RunsState>): RunsState {
  const paging = 'after' in change || 'before' in change;
  return { ...state, ...(paging ? {} : { after: null, before: null }), ...change };
}

/** Clicking a header: the same field flips direction, another field starts descending. */
export function toggleOrder(state: RunsState, field: OrderField): RunsState {
  const direction: Direction = state.orderField === field && state.direction === 'DESC' ? 'ASC' : 'DESC';
  return withChange(state, { orderField: field, direction });
}
