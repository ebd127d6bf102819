import { basename } from 'node:path';
import { dateToDayNumber } from '../../calendar/time-zone.js';
import { invalidRequest } from '../../model/errors.js';
import { hashFile } from '../file-source.js';
import type { RawFields, SourceItem } from '../raw-record.js';
import { scaledIntegerText, textLines, type AdapterSource } from './adapter-source.js';
import { parseSecondsAfterMidnight, wallToEpochMs } from './local-time.js';
import { tradeTimeProblem } from '../../model/trade-time.js';

/**
 * LOBSTER (lobsterdata.com) message + orderbook file pairs. Message row i: `time` (seconds after
 * midnight New York, up to 9 decimals), `type`, `order_id`, `size`, `price` (USD × 10,000),
 * `direction` (side of the resting order: -1 sell, 1 buy); orderbook row i is the book after
 * message i (`ask_price, ask_size, bid_price, bid_size`, then deeper levels).
 *
 * Executions of visible (type 4) and hidden (type 5) orders become trades: the resting side
 * gives the aggressor (a resting sell hit is buyer-initiated), the quotes are the best ones in
 * force before the trade (orderbook row i-1; none for the first message), and the trade id is
 * `L` + the message row number. Other message types are not trades and are skipped.
 */
export interface LobsterOptions {
  readonly messageFile: string;
  readonly orderbookFile: string;
  /** Ticker (region US added when missing); default: the file name's first part (`GOOG_…`). */
  readonly symbol?: string;
  /** Trading day `YYYY-MM-DD`; default: the file name's second part. */
  readonly date?: string;
  /** Identity for resuming (see lobsterSourceId); without it every run appends (trade ids still deduplicate). */
  readonly sourceId?: string;
}

const NEW_YORK = 'America/New_York';
const PRICE_SCALE = 4;
/** LOBSTER marks an empty book side with these dummy prices. */
const EMPTY_ASK = '9999999999';
const EMPTY_BID = '-9999999999';
const BATCH = 2000;

export function lobsterSource(options: LobsterOptions): AdapterSource {
  const name = basename(options.messageFile);
  const nameParts = /^([A-Za-z0-9.]+)_(\d{4}-\d{2}-\d{2})_/.exec(name);
  const ticker = options.symbol ?? nameParts?.[1];
  const date = options.date ?? nameParts?.[2];
  if (ticker === undefined || date === undefined) {
    throw invalidRequest(`${name}: give --symbol and --date (the file name is not LOBSTER's TICKER_YYYY-MM-DD_… form)`);
  }
  let dayNumber: number;
  try {
    dayNumber = dateToDayNumber(date);
  } catch {
    throw invalidRequest(`${name}: ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`);
  }
  const symbol = /\.(US|HK|SH|SZ|SG)$/i.test(ticker) ? ticker : `${ticker}.US`;
  const midnightWallMs = dayNumber * 86_400_000;

  return {
    name: options.messageFile,
    format: 'lobster',
    sourceId: options.sourceId,
    async *items(): AsyncGenerator<SourceItem[]> {
      const messages = textLines(options.messageFile);
      const books = textLines(options.orderbookFile);
      let previousBook: string[] | undefined;
      let line = 0;
      let batch: SourceItem[] = [];
      for (;;) {
        const message = await messages.next();
        const book = await books.next();
        if (message.done || book.done) {
          if (message.done !== book.done) {
            throw invalidRequest(
              `${name}: the message and orderbook files differ in length (${message.done ? 'orderbook' : 'message'} file has more rows after row ${line})`,
            );
          }
          break;
        }
        line++;
        const fields = message.value.split(',');
        const item = executionItem(fields, line, previousBook);
        if (item) batch.push(item);
        previousBook = book.value.split(',');
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };

  /** The canonical record of an execution message, a rejection, or undefined for other types. */
  function executionItem(fields: string[], line: number, previousBook: string[] | undefined): SourceItem | undefined {
    if (fields.length < 6) return { line, error: `expected 6 fields (time,type,order_id,size,price,direction), got ${fields.length}` };
    const [timeText = '', type = '', , size = '', price = '', side = ''] = fields.map((field) => field.trim());
    if (type !== '4' && type !== '5') {
      if (!/^[1-7]$/.test(type)) return { line, error: `type: unknown message type ${JSON.stringify(type)}` };
      return undefined;
    }
    const time = parseSecondsAfterMidnight(timeText);
    if (!time.ok) return { line, error: `time: ${time.reason}, got ${JSON.stringify(timeText)}` };
    if (!/^[0-9]+$/.test(price)) return { line, error: `price: must be a positive integer (USD × 10,000), got ${JSON.stringify(price)}` };
    let direction: string;
    if (side === '-1') direction = 'up';
    else if (side === '1') direction = 'down';
    else return { line, error: `direction: must be -1 (resting sell) or 1 (resting buy), got ${JSON.stringify(side)}` };
    // Whole minutes from the zone's local midnight, so daylight-saving days keep wall-clock time.
    const timestamp = wallToEpochMs(NEW_YORK, midnightWallMs + time.ms);
    const timeProblem = tradeTimeProblem(timestamp);
    if (timeProblem !== undefined) return { line, error: `time: ${timeProblem}, got ${JSON.stringify(timeText)}` };
    const record: RawFields = {
      symbol,
      timestamp: String(timestamp),
      price: scaledIntegerText(price, PRICE_SCALE),
      volume: size,
      direction,
      trade_id: `L${line}`,
    };
    if (previousBook) {
      const [ask = '', , bid = ''] = previousBook.map((field) => field.trim());
      if (ask !== EMPTY_ASK && /^[0-9]+$/.test(ask)) record.ask = scaledIntegerText(ask, PRICE_SCALE);
      if (bid !== EMPTY_BID && /^[0-9]+$/.test(bid)) record.bid = scaledIntegerText(bid, PRICE_SCALE);
    }
    return { line, fields: record };
  }
}

/** Source id of a file pair: both contents' sha256, so the same pair resumes where it stopped. */
export async function lobsterSourceId(options: LobsterOptions): Promise<string> {
  return `lobster:${await hashFile(options.messageFile)}:${await hashFile(options.orderbookFile)}`;
}
