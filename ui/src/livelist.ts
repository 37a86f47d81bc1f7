/**
 * Merging `runChanged` items into the rows on screen (UI.md): a run already shown changes
 * in place; a new run is inserted at the top only when the visitor is on the first page of
 * the newest-first list with nothing selected, otherwise it waits behind the "+N new" pill.
 * Rows never move under the cursor.
 */

export interface LiveRow {
  id: string;
  createdAt: string;
}

export interface LiveList<R extends LiveRow> {
  rows: R[];
  /** new runs not inserted yet, newest first */
  pending: R[];
  /** runs created after this instant are new to the list */
  watermark: string;
}

export interface MergeContext {
  /** first page, newest first, nothing selected: new runs go straight in */
  autoInsert: boolean;
  /** the page size: auto-inserted rows push the oldest off the page */
  size: number;
}

export function createLiveList<R extends LiveRow>(rows: R[], loadedAt: string): LiveList<R> {
  const newest = rows.reduce((max, row) => (row.createdAt > max ? row.createdAt : max), '');
  return { rows, pending: [], watermark: newest > loadedAt ? newest : loadedAt };
}

function time(value: string): number {
  return new Date(value).getTime();
}

/** Applies a batch of changed runs (oldest message first); returns a new list, or the same one if nothing changed. */
export function mergeChanges<R extends LiveRow>(list: LiveList<R>, changes: R[], context: MergeContext): LiveList<R> {
  if (!changes.length) return list;
  const latest = new Map<string, R>();
  for (const change of changes) latest.set(change.id, change);
  let rows = list.rows.map((row) => latest.get(row.id) ?? row);
  const shown = new Set(rows.map((row) => row.id));
  let pending = list.pending.map((row) => latest.get(row.id) ?? row);
  const waiting = new Set(pending.map((row) => row.id));
  const fresh = [...latest.values()].filter(
    (run) => !shown.has(run.id) && !waiting.has(run.id) && time(run.createdAt) > time(list.watermark),
  );
  fresh.sort((a, b) => time(b.createdAt) - time(a.createdAt));
  if (context.autoInsert) {
    rows = [...pending, ...fresh, ...rows].slice(0, context.size);
    pending = [];
  } else {
    pending = [...fresh, ...pending];
  }
  return { ...list, rows, pending };
}

/** The "+N new" pill clicked: pending runs go on top of the list. */
export function insertPending<R extends LiveRow>(list: LiveList<R>, size: number): LiveList<R> {
  if (!list.pending.length) return list;
  return { ...list, rows: [...list.pending, ...list.rows].slice(0, size), pending: [] };
}
