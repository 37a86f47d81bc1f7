import { describe, expect, it } from 'vitest';
import { timelineBars } from '../src/timeline';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, seconds)).toISOString();
const now = Date.UTC(2026, 10, 1, 0, 1, 0);

describe('timelineBars', () => {
  it('draws one bar per attempt, with each attempt status', () => {
    const { bars, begin, end } = timelineBars(
      [
        {
          id: 's1',
          ref: 'fetch',
          status: 'COMPLETED',
          attempt: 3,
          startedAt: at(9),
          finishedAt: at(10),
          attempts: [
            { attempt: 1, status: 'FAILED', startedAt: at(1), finishedAt: at(2), error: 'boom' },
            { attempt: 2, status: 'FAILED', startedAt: at(4), finishedAt: at(5), error: 'boom' },
            { attempt: 3, status: 'COMPLETED', startedAt: at(9), finishedAt: at(10) },
          ],
        },
      ],
      now,
    );
    expect(bars.map((bar) => [bar.ref, bar.attempt, bar.status, bar.error])).toEqual([
      ['fetch', 1, 'FAILED', 'boom'],
      ['fetch', 2, 'FAILED', 'boom'],
      ['fetch', 3, 'COMPLETED', null],
    ]);
    expect(begin).toBe(new Date(at(1)).getTime());
    expect(end).toBe(new Date(at(10)).getTime());
  });

  it('runs an open attempt to now and falls back to the step times without attempts', () => {
    const { bars, end } = timelineBars(
      [
        { id: 'a', ref: 'approve', status: 'WAITING', attempt: 1, startedAt: at(3), attempts: [{ attempt: 1, status: 'WAITING', startedAt: at(3) }] },
        { id: 'b', ref: 'reused', status: 'COMPLETED', attempt: 1, startedAt: at(1), finishedAt: at(2), attempts: [] },
        { id: 'c', ref: 'later', status: 'PENDING', attempt: 0, attempts: [] },
        { id: 'd', ref: 'item', status: 'RUNNING', attempt: 1, iteration: 4, parentRef: 'loop', startedAt: at(5), attempts: [{ attempt: 1, status: 'RUNNING', startedAt: at(5) }] },
      ],
      now,
    );
    expect(bars.map((bar) => [bar.label, bar.status, bar.open, bar.selectRef])).toEqual([
      ['approve', 'WAITING', true, 'approve'],
      ['reused', 'COMPLETED', false, 'reused'],
      ['loop[4]', 'RUNNING', true, 'loop'],
    ]);
    expect(bars[0].to).toBe(now);
    expect(end).toBe(now);
  });

  it('is empty before any step starts', () => {
    expect(timelineBars([{ id: 'x', ref: 'x', status: 'PENDING', attempt: 0 }], now).bars).toEqual([]);
  });
});
