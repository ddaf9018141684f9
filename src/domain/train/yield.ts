/**
 * Lets the event loop run between steps of a long loop. On the wasm and cpu backends
 * `await tensor.data()` settles as a microtask, so a loop of training steps never gives its worker
 * a turn to receive a cancel message (WebGPU's read-backs do). One macrotask at most every
 * `everyMs` keeps cancellation within a step at a negligible cost.
 */
export function eventLoopYielder(everyMs = 50): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}
