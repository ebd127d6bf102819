import type { ParsedSymbol } from '../../model/symbol.js';

/**
 * Runs `next` with an admitted symbol: at once when the in-memory limiter answered
 * synchronously (no extra await on the embedded path), else once the shared limiter answered.
 */
export function whenAdmitted<T>(admitted: ParsedSymbol | Promise<ParsedSymbol>, next: (symbol: ParsedSymbol) => T | Promise<T>): T | Promise<T> {
  return admitted instanceof Promise ? admitted.then(next) : next(admitted);
}
