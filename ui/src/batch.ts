/** Batching live messages into renders. */

/**
 * Calls `fn` in an animation frame with everything queued since the last call, at most once
 * per `minInterval` ms (0: every frame). A burst of live messages costs one render and one
 * layout, not one each.
 */
export function frameBatcher<T>(fn: (items: T[]) => void, minInterval = 0): { push(item: T): void; cancel(): void } {
  let queue: T[] = [];
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const flush = () => {
    frame = null;
    last = performance.now();
    const items = queue;
    queue = [];
    if (items.length) fn(items);
  };
  return {
    push(item) {
      queue.push(item);
      if (frame !== null || timer !== null) return;
      const wait = last + minInterval - performance.now();
      if (wait <= 0) frame = requestAnimationFrame(flush);
      else
        timer = setTimeout(() => {
          timer = null;
          frame = requestAnimationFrame(flush);
        }, wait);
    },
    cancel() {
      if (frame !== null) cancelAnimationFrame(frame);
      if (timer !== null) clearTimeout(timer);
      frame = null;
      timer = null;
      queue = [];
    },
  };
}
