import { TradeFields, type DayFlow } from '../engine/index.js';
import type { TradeColumns } from '../store/trade-columns.js';

/**
 * Feeds rows `[from, to)` of `columns` (those `include` accepts, when given) to a day state, with
 * exactly the outcome `day.add` would have for the same trades: each row is read into one reused
 * TradeFields record and added by name (`addTrade`: scaled integers, id bytes — no object,
 * string or BigInt per trade); only a row whose id is not ASCII (kept as a string by the day's id
 * set) goes through `add` as an object.
 */
export function addColumnsToDay(
  day: DayFlow,
  columns: TradeColumns,
  from = 0,
  to = columns.count,
  include?: (row: number) => boolean,
): void {
  const trade = new TradeFields();
  for (let row = from; row < to; row++) {
    if (include !== undefined && !include(row)) continue;
    columns.read(row, trade);
    if (asciiId(trade.idBytes, trade.idStart, trade.idEnd)) day.addTrade(trade);
    else day.add(columns.trade(row));
  }
}

function asciiId(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 127) return false;
  return true;
}
