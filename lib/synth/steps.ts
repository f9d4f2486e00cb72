// Synthesis as a generator, so a caller that serves queries can pause it. A plain `yield` marks a namespace
// boundary (the caller always lets queries through there); `yield TICK` comes every STEP items inside the loops
// over pods, so that one large workload (150,000 pods) is built in slices of a few milliseconds too: the caller
// pauses at a tick only when its slice has run long enough.

export const TICK = 1;
export type Tick = typeof TICK;
export type Steps<T> = Generator<Tick | undefined, T, void>;

/** Items (pods, endpoints, addresses) handled between two ticks: a StatefulSet pod costs ~10-50 µs to build and index on a busy machine, so ~1-6 ms. */
export const STEP = 128;

/** Runs a generator to its end without pausing. */
export function drain<T>(run: Steps<T>): T {
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}
