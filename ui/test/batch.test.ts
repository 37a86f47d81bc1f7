import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { frameBatcher } from '../src/batch';

describe('batching live messages per animation frame', () => {
  // requested frames by id; a canceled one is deleted
  let frames = new Map<number, () => void>();
  let nextId = 0;
  let now = 0;
  beforeEach(() => {
    frames = new Map();
    now = 0;
    vi.useFakeTimers();
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => {
      frames.set(++nextId, callback);
      return nextId;
    });
    vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.delete(id));
    vi.stubGlobal('performance', { now: () => now });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  const runFrame = () => {
    const pending = [...frames.values()];
    frames = new Map();
    pending.forEach((callback) => callback());
  };

  it('delivers everything pushed before a frame in one call, in order', () => {
    const calls: number[][] = [];
    const batcher = frameBatcher<number>((items) => calls.push(items));
    batcher.push(1);
    batcher.push(2);
    batcher.push(3);
    expect(frames.size).toBe(1);
    runFrame();
    expect(calls).toEqual([[1, 2, 3]]);
    batcher.push(4);
    runFrame();
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('waits out the minimum interval, then renders in a frame', () => {
    const calls: number[][] = [];
    const batcher = frameBatcher<number>((items) => calls.push(items), 250);
    now = 1000;
    batcher.push(1);
    runFrame();
    expect(calls).toEqual([[1]]);
    now = 1100;
    batcher.push(2);
    batcher.push(3);
    expect(frames.size).toBe(0); // not before 250 ms since the last render
    now = 1250;
    vi.advanceTimersByTime(150);
    expect(frames.size).toBe(1);
    runFrame();
    expect(calls).toEqual([[1], [2, 3]]);
  });

  it('drops what is queued when canceled', () => {
    const calls: number[][] = [];
    const batcher = frameBatcher<number>((items) => calls.push(items));
    batcher.push(1);
    batcher.cancel();
    batcher.push(2);
    runFrame();
    expect(calls).toEqual([[2]]);
  });
});
