/** The range of instants a trade may carry, checked at every input (docs/computation.md §1). */

/**
 * The instants a trade may have: 1990-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z
 * (exclusive). Every input checks them (files, bodies, adapters, bus messages), so every stored
 * trade's local trading day is a four-digit year the calendars and date columns can hold; the
 * range still covers any electronic-trading history worth replaying (LOBSTER 2012, SSE 2023).
 */
export const TRADE_TIME_MIN_MS = 631_152_000_000;
export const TRADE_TIME_END_MS = 4_102_444_800_000;

/** Why an instant cannot be a trade's time, or undefined when it can. */
export function tradeTimeProblem(epochMs: number): string | undefined {
  if (epochMs >= TRADE_TIME_MIN_MS && epochMs < TRADE_TIME_END_MS) return undefined;
  const readAsSeconds = epochMs * 1000;
  const hint =
    Number.isSafeInteger(epochMs) && readAsSeconds >= TRADE_TIME_MIN_MS && readAsSeconds < TRADE_TIME_END_MS ? ' (epoch seconds? give milliseconds)' : '';
  return `out of range: trades must be from 1990-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z${hint}`;
}

/**
 * How far ahead of the wall clock a trade may be stamped: clock skew between a feed and this
 * server, never more. A trade from further ahead cannot be real (it would move a feed clock, and
 * so every symbol of its market, into the future), so it is rejected like a malformed one.
 * Replays of past days are unaffected.
 */
export const FUTURE_TOLERANCE_MS = 15 * 60_000;

/** Why a trade time is too far ahead of `nowMs` (see FUTURE_TOLERANCE_MS), or undefined. */
export function futureTimeProblem(epochMs: number, nowMs: number): string | undefined {
  if (epochMs <= nowMs + FUTURE_TOLERANCE_MS) return undefined;
  return `more than ${FUTURE_TOLERANCE_MS / 60_000} minutes ahead of the server's clock (${new Date(epochMs).toISOString()}, clock ${new Date(nowMs).toISOString()})`;
}

/** Whether an instant may be a trade's time (`tradeTimeProblem` answers undefined). */
export function isTradeTime(epochMs: number): boolean {
  return epochMs >= TRADE_TIME_MIN_MS && epochMs < TRADE_TIME_END_MS;
}
