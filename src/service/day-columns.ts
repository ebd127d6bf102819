import { DayFlow, methodCodeOf, MethodCode } from '../engine/index.js';
import { CLASSIFICATION_METHODS } from '../model/trade.js';
import type { TradeColumns } from '../store/trade-columns.js';

/** Engine method code per stored classification index (+1: index -1, none, is Lee–Ready as in `DayFlow.add`). */
const METHOD_CODES = [MethodCode.LeeReady, ...CLASSIFICATION_METHODS.map((method) => methodCodeOf(method))];

/**
 * Feeds rows `[from, to)` of `columns` (those `include` accepts, when given) to a day state, with exactly the outcome `day.add` would
 * have for the same trades: plain rows go through `addRawIdBytes` (scaled integers, id bytes —
 * no object, string or BigInt per trade); a row with decimals beyond a Number, a trade type (its
 * market policy lives in `add`) or a non-ASCII id (kept as a string by `add`'s id set) goes
 * through `add` as an object.
 */
export function addColumnsToDay(
  day: DayFlow,
  columns: TradeColumns,
  from = 0,
  to = columns.count,
  include?: (row: number) => boolean,
): void {
  const special = columns.exact.size > 0 || columns.tradeType.size > 0;
  const ids = columns.idBytes;
  for (let row = from; row < to; row++) {
    if (include !== undefined && !include(row)) continue;
    const idStart = columns.idStart[row] as number;
    const idEnd = columns.idEnd[row] as number;
    if ((special && (columns.exact.has(row) || columns.tradeType.has(row))) || !asciiId(ids, idStart, idEnd)) {
      day.add(columns.trade(row));
      continue;
    }
    day.addRawIdBytes(
      columns.timestamp[row] as number,
      columns.priceUnits[row] as number,
      columns.priceScale[row] as number,
      columns.volume[row] as number,
      columns.direction[row] as number,
      columns.bidUnits[row] as number,
      columns.bidScale[row] as number,
      columns.askUnits[row] as number,
      columns.askScale[row] as number,
      ids,
      idStart,
      idEnd,
      METHOD_CODES[(columns.method[row] as number) + 1] as number,
    );
  }
}

function asciiId(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 127) return false;
  return true;
}
