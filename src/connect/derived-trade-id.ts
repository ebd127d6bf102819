/**
 * The trade ids `capflow connect` gives upstream trades (LongPort trades carry none), so that
 * recording a trade again stores nothing (the store keeps one trade per symbol, day and id).
 * Each id names the symbol and the trading day (`YYYYMMDD`), then where the trade came from:
 *
 * - `700.HK:20240614:1234` — an upstream that numbers trades (capflow): the trade's own sequence,
 *   its position in the symbol-day's acceptance order. A push with `sequence` S and n trades
 *   holds trades S−n+1 … S; command 220 answers them by the same numbers. One trade, one id,
 *   whichever way it arrived.
 * - `700.HK:20240614:p160808750000000.3` — an upstream whose sequence means nothing more than
 *   "this push" (LongPort): the push's sequence and the trade's position in the push (from 0).
 * - `700.HK:20240614:p160808750000000.3+2` — a trade that reached the connector only through
 *   QueryTrade (a reconnect's backfill): the 2nd after the last trade held before the gap
 *   (`…:+2` when nothing of the day was held; after a held `…+5`, `…+7`). Trades the backfill
 *   finds already held keep their ids.
 */

function compact(date: string): string {
  return date.replaceAll('-', '');
}

export function sequenceId(symbol: string, date: string, sequence: number): string {
  return `${symbol}:${compact(date)}:${sequence}`;
}

export function pushId(symbol: string, date: string, pushSequence: number | bigint, index: number): string {
  return `${symbol}:${compact(date)}:p${pushSequence}.${index}`;
}

/**
 * The k-th (from 1) trade after the held trade `anchor` (its id, or undefined when nothing of
 * the day is held). After an anchor that is itself a gap trade (`X+j`), the count goes on from it
 * (`X+(j+k)`), so ids never grow from one reconnect to the next.
 */
export function gapId(symbol: string, date: string, anchor: string | undefined, k: number): string {
  const prefix = `${symbol}:${compact(date)}:`;
  let base = anchor === undefined ? '' : anchor.startsWith(prefix) ? anchor.slice(prefix.length) : anchor;
  let offset = 0;
  const plus = base.lastIndexOf('+');
  if (plus >= 0 && /^\d+$/.test(base.slice(plus + 1))) {
    offset = Number(base.slice(plus + 1));
    base = base.slice(0, plus);
  }
  return `${prefix}${base}+${offset + k}`;
}

/** The sequence of an id made by `sequenceId` for this symbol-day, else undefined. */
export function sequenceOfId(symbol: string, date: string, id: string): number | undefined {
  const prefix = `${symbol}:${compact(date)}:`;
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  return /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : undefined;
}
