import { basename } from 'node:path';
import { dateToDayNumber } from '../../calendar/time-zone.js';
import { invalidRequest } from '../../model/errors.js';
import type { RawFields, SourceItem } from '../raw-record.js';
import { inputText, roundDecimalText, type AdapterSource } from './adapter-source.js';
import { CsvRows } from '../csv-rows.js';
import { parseLocalDateTime, parseTimeOfDay, wallToEpochMs } from './local-time.js';
import { tradeTimeProblem } from '../../model/trade-time.js';

/**
 * Shanghai and Shenzhen Level-2 trade-by-trade files (逐笔成交), columns by name as vendors
 * export them: `SecurityID`, `TradeTime` (Shanghai local, `2023.02.01T09:25:00.320`, or a time
 * of day with `date`), `TradePrice` (float noise is rounded to 0.001, the finest CN tick),
 * `TradeQty`, and optionally `TradeBSFlag` (SSE: B, S, N), `BidApplSeqNum` / `OfferApplSeqNum`
 * (buy and sell order numbers), `ExecType` (SZSE: F trade, 4 cancellation), `Market` (SH/SZ) or
 * `SecurityIDSource` (101 SH, 102 SZ), `ApplSeqNum` (trade id).
 *
 * Side: the exchange's flag when given (B up, S down); otherwise the order-sequence rule (the
 * order entered later, with the larger number, is the aggressor), recorded as such; otherwise
 * none (the engine classifies). Call-auction prints (flag N, or stamped in the auction windows
 * 09:15–09:30 and 14:57–15:05) have no aggressor: they get trade type `U` and no side.
 * SZSE cancellation records are not trades and are dropped (counted, not rejected).
 */
export interface L2Options {
  readonly file: string;
  /** Trading day for time-only `TradeTime` columns. */
  readonly date?: string;
  /** Ignore `TradeBSFlag` and use the order-sequence rule throughout (for measuring the rule). */
  readonly ignoreFlag?: boolean;
  readonly sourceId?: string;
  /** The file's content, held in memory (an HTTP ingest body); `file` is then only its name. */
  readonly body?: string;
}

const SHANGHAI = 'Asia/Shanghai';
const PRICE_DECIMALS = 3;
const BATCH = 2000;
const MINUTE = 60_000;
const AUCTION_WINDOWS: ReadonlyArray<readonly [number, number]> = [
  [(9 * 60 + 15) * MINUTE, (9 * 60 + 30) * MINUTE],
  [(14 * 60 + 57) * MINUTE, (15 * 60 + 5) * MINUTE],
];
export const L2_AUCTION_TRADE_TYPE = 'U';

export function l2TradeSource(options: L2Options): AdapterSource {
  const dropped = new Map<string, number>();
  let dateDayNumber: number | undefined;
  if (options.date !== undefined) {
    try {
      dateDayNumber = dateToDayNumber(options.date);
    } catch {
      throw invalidRequest(`--date ${JSON.stringify(options.date)} is not a date (YYYY-MM-DD)`);
    }
  }
  const name = basename(options.file);
  return {
    name: options.file,
    format: 'l2',
    sourceId: options.sourceId,
    dropped: () => dropped,
    async *items(): AsyncGenerator<SourceItem[]> {
      const reader = new CsvRows(name);
      let columns: Map<string, number> | undefined;
      let batch: SourceItem[] = [];
      const take = (rows: ReturnType<CsvRows['push']>): void => {
        for (const row of rows) {
          if (columns === undefined) {
            columns = new Map(row.values.map((value, index) => [value.trim(), index]));
            const missing = ['SecurityID', 'TradeTime', 'TradePrice', 'TradeQty'].filter((column) => !columns?.has(column));
            if (missing.length > 0) throw invalidRequest(`${name}: not a Level-2 trade file: missing column(s) ${missing.join(', ')}`);
            continue;
          }
          const item = row.error === undefined ? l2Item(columns, row.values, row.line) : { line: row.line, error: row.error };
          if (item) batch.push(item);
        }
      };
      for await (const text of inputText(options.file, options.body)) {
        take(reader.push(text));
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      take(reader.end());
      if (columns === undefined) throw invalidRequest(`${name}: empty file (no header row)`);
      if (batch.length > 0) yield batch;
    },
  };

  function l2Item(columns: Map<string, number>, values: string[], line: number): SourceItem | undefined {
    const get = (column: string): string => {
      const index = columns.get(column);
      return index === undefined ? '' : (values[index] ?? '').trim();
    };
    if (get('ExecType') === '4') {
      dropped.set('SZSE cancellation records', (dropped.get('SZSE cancellation records') ?? 0) + 1);
      return undefined;
    }
    const security = get('SecurityID');
    const region = regionOf(get('Market'), get('SecurityIDSource'));
    if (region === undefined) return { line, error: 'Market: neither Market (SH/SZ) nor SecurityIDSource (101/102) names the exchange' };
    const timeText = get('TradeTime');
    let wall = parseLocalDateTime(timeText);
    if (!wall.ok && dateDayNumber !== undefined) {
      const time = parseTimeOfDay(timeText);
      wall = time.ok ? { ok: true, ms: dateDayNumber * 86_400_000 + time.ms } : time;
    }
    if (!wall.ok) return { line, error: `TradeTime: ${wall.reason}, got ${JSON.stringify(timeText)}` };
    const priceText = get('TradePrice');
    const price = roundDecimalText(priceText, PRICE_DECIMALS);
    if (price === undefined) return { line, error: `TradePrice: not a price, got ${JSON.stringify(priceText)}` };
    const epochMs = wallToEpochMs(SHANGHAI, wall.ms);
    const timeProblem = tradeTimeProblem(epochMs);
    if (timeProblem !== undefined) return { line, error: `TradeTime: ${timeProblem}, got ${JSON.stringify(timeText)}` };
    const record: RawFields = {
      symbol: `${security}.${region}`,
      timestamp: String(epochMs),
      price,
      volume: get('TradeQty'),
    };
    const sequence = get('ApplSeqNum');
    if (sequence !== '') record.trade_id = `${region === 'SH' ? 'S' : 'Z'}${sequence}`;
    const flag = options.ignoreFlag ? '' : get('TradeBSFlag').toUpperCase();
    const timeOfDay = ((wall.ms % 86_400_000) + 86_400_000) % 86_400_000;
    if (flag === 'N' || AUCTION_WINDOWS.some(([from, to]) => timeOfDay >= from && timeOfDay < to)) {
      record.trade_type = L2_AUCTION_TRADE_TYPE;
      return { line, fields: record };
    }
    if (flag === 'B' || flag === 'S') {
      record.direction = flag === 'B' ? 'up' : 'down';
      return { line, fields: record };
    }
    const side = orderSequenceSide(get('BidApplSeqNum'), get('OfferApplSeqNum'));
    if (side === undefined) return { line, fields: record };
    record.direction = side;
    return { line, fields: record, classification: 'order-sequence' };
  }
}

function regionOf(market: string, source: string): 'SH' | 'SZ' | undefined {
  const upper = market.toUpperCase();
  if (upper === 'SH' || upper === 'SSE' || upper === 'XSHG' || source === '101') return 'SH';
  if (upper === 'SZ' || upper === 'SZSE' || upper === 'XSHE' || source === '102') return 'SZ';
  return undefined;
}

/**
 * The order-sequence rule: the order entered later (larger order number) met a resting one, so
 * its side is the aggressor; undefined when either number is missing or they are equal.
 */
export function orderSequenceSide(buyOrder: string, sellOrder: string): 'up' | 'down' | undefined {
  if (!/^[0-9]+$/.test(buyOrder) || !/^[0-9]+$/.test(sellOrder)) return undefined;
  const buy = BigInt(buyOrder);
  const sell = BigInt(sellOrder);
  if (buy === 0n || sell === 0n || buy === sell) return undefined;
  return buy > sell ? 'up' : 'down';
}
