import { performance } from 'node:perf_hooks';

/** The time and timers a transport's deadlines run on: the system's, or a test's manual clock. */
export interface TransportClock {
  /** Milliseconds on a monotonic scale (only differences mean anything). */
  now(): number;
  /** Calls `callback` once after `ms`, without keeping the process alive; returns its cancel. */
  schedule(callback: () => void, ms: number): () => void;
}

/** performance.now() and unref'd timers. */
export const SYSTEM_CLOCK: TransportClock = {
  now: () => performance.now(),
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
