import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, formatRunsState, parseRunsState, toggleOrder, withChange } from '../src/urlstate';

describe('runs page state in the URL', () => {
  it('reads defaults from an empty query and writes nothing back', () => {
    const state = parseRunsState('');
    expect(state).toEqual({
      filter: '',
      search: '',
      orderField: 'CREATED_AT',
      direction: 'DESC',
      size: 50,
      after: null,
      before: null,
      columns: DEFAULT_COLUMNS,
    });
    expect(formatRunsState(state)).toBe('');
  });

  it('round-trips every part', () => {
    const query = 'filter=status+eq+%22FAILED%22&q=acme&order=PRIORITY.ASC&size=25&after=abc&cols=status%2Ctags.region';
    const state = parseRunsState(query);
    expect(state.filter).toBe('status eq "FAILED"');
    expect(state.search).toBe('acme');
    expect(state.orderField).toBe('PRIORITY');
    expect(state.direction).toBe('ASC');
    expect(state.size).toBe(25);
    expect(state.after).toBe('abc');
    expect(state.columns).toEqual(['status', 'tags.region']);
    expect(parseRunsState(formatRunsState(state))).toEqual(state);
  });

  it('ignores values it does not know', () => {
    const state = parseRunsState('order=NAME.UP&size=7&cols=bogus,tags.bad key');
    expect(state.orderField).toBe('CREATED_AT');
    expect(state.direction).toBe('DESC');
    expect(state.size).toBe(50);
    expect(state.columns).toEqual(DEFAULT_COLUMNS);
  });

  it('keeps only one paging direction, after winning', () => {
    expect(parseRunsState('after=a&before=b').before).toBeNull();
  });

  it('starts from the first page when the filter changes, not when paging', () => {
    const paged = parseRunsState('after=cursor1');
    expect(withChange(paged, { filter: 'status eq "RUNNING"' }).after).toBeNull();
    expect(withChange(paged, { after: 'cursor2' }).after).toBe('cursor2');
  });

  it('flips the direction of the same header and starts another descending', () => {
    const state = parseRunsState('');
    const asc = toggleOrder(state, 'CREATED_AT');
    expect([asc.orderField, asc.direction]).toEqual(['CREATED_AT', 'ASC']);
    const other = toggleOrder(asc, 'STATUS');
    expect([other.orderField, other.direction]).toEqual(['STATUS', 'DESC']);
  });
});
