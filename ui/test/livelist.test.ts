import { describe, expect, it } from 'vitest';
import { createLiveList, insertPending, mergeChanges } from '../src/livelist';

interface Row {
  id: string;
  createdAt: string;
  status: string;
}
const row = (id: string, minute: number, status = 'RUNNING'): Row => ({
  id,
  createdAt: `2026-12-01T10:${String(minute).padStart(2, '0')}:00Z`,
  status,
});
const LOADED_AT = '2026-12-01T10:10:00Z';

describe('merging live run changes into the list', () => {
  const list = createLiveList([row('c', 3), row('b', 2), row('a', 1)], LOADED_AT);

  it('changes a shown run in place, keeping its position', () => {
    const next = mergeChanges(list, [row('b', 2, 'FAILED')], { autoInsert: true, size: 50 });
    expect(next.rows.map((item) => [item.id, item.status])).toEqual([
      ['c', 'RUNNING'],
      ['b', 'FAILED'],
      ['a', 'RUNNING'],
    ]);
    expect(next.pending).toEqual([]);
  });

  it('keeps the last of several changes to one run in a batch', () => {
    const next = mergeChanges(list, [row('a', 1, 'PAUSED'), row('a', 1, 'COMPLETED')], { autoInsert: false, size: 50 });
    expect(next.rows[2].status).toBe('COMPLETED');
  });

  it('inserts new runs on top when allowed, newest first, within the page size', () => {
    const next = mergeChanges(list, [row('d', 11), row('e', 12)], { autoInsert: true, size: 4 });
    expect(next.rows.map((item) => item.id)).toEqual(['e', 'd', 'c', 'b']);
  });

  it('holds new runs behind the pill otherwise, and inserts them when clicked', () => {
    const held = mergeChanges(list, [row('d', 11)], { autoInsert: false, size: 50 });
    expect(held.rows.map((item) => item.id)).toEqual(['c', 'b', 'a']);
    expect(held.pending.map((item) => item.id)).toEqual(['d']);
    const again = mergeChanges(held, [row('d', 11, 'COMPLETED'), row('e', 12)], { autoInsert: false, size: 50 });
    expect(again.pending.map((item) => [item.id, item.status])).toEqual([
      ['e', 'RUNNING'],
      ['d', 'COMPLETED'],
    ]);
    const shown = insertPending(again, 50);
    expect(shown.rows.map((item) => item.id)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(shown.pending).toEqual([]);
  });

  it('ignores a change to an older run that is not on this page', () => {
    const next = mergeChanges(list, [row('z', 0, 'FAILED')], { autoInsert: true, size: 50 });
    expect(next.rows.map((item) => item.id)).toEqual(['c', 'b', 'a']);
    expect(next.pending).toEqual([]);
  });

  it('returns the same list for an empty batch', () => {
    expect(mergeChanges(list, [], { autoInsert: true, size: 50 })).toBe(list);
  });
});
