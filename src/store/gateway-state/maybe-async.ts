/** A value a shared store answers later (PostgreSQL) and an in-memory default answers at once. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Runs `next` with the value: synchronously when it is already there (so the in-memory path
 * stays free of awaits), else once the promise resolves. Returns a promise only in that case.
 */
export function whenReady<T>(value: MaybePromise<T>, next: (ready: T) => void | Promise<void>): void | Promise<void> {
  if (value instanceof Promise) return value.then(next);
  return next(value);
}
