import { dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import { isPositive, parseDecimal, type Decimal } from '../model/decimal.js';
import { parseSymbol, type ParsedSymbol } from '../model/symbol.js';
import { parseDirection, type Direction, type Trade } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';
import { JsonNumberText, JsonOtherValue, type RawFields, type RawValue, type TradeField } from './raw-record.js';
import { parseTimestamp } from './timestamp.js';

/** Why a record was not accepted: the line (record) and, when one is to blame, the field. */
export interface Rejection {
  readonly line: number;
  readonly field?: TradeField;
  readonly reason: string;
}

export type TradeParseResult = ({ readonly ok: true } & TradeToStore) | ({ readonly ok: false } & Rejection);

/** Longest trade id and trade type accepted (characters). */
export const MAX_TRADE_ID_CHARS = 128;
export const MAX_TRADE_TYPE_CHARS = 32;

export function formatRejection(rejection: Rejection): string {
  return `line ${rejection.line}: ${rejection.field === undefined ? '' : `${rejection.field}: `}${rejection.reason}`;
}

/** Short quotation of offending input for messages. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

type FieldText = { readonly text: string; readonly isNumber: boolean } | undefined | { readonly error: string };

/** Text of a field; undefined when absent, null or empty (surrounding spaces are trimmed). */
function fieldText(value: RawValue | undefined): FieldText {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    return text.length === 0 ? undefined : { text, isNumber: false };
  }
  if (value instanceof JsonNumberText) return { text: value.text, isNumber: true };
  if (value instanceof JsonOtherValue) return { error: `must be a string or a number, not a JSON ${value.type}` };
  return { error: 'unreadable value' };
}

/** Why decimal text is not a positive decimal, or undefined when it is one. */
function decimalProblem(text: string): string {
  if (text.startsWith('-')) return `must be positive, got ${quote(text)}`;
  if (text.startsWith('+')) return `must be written without a sign, got ${quote(text)}`;
  if (/[eE]/.test(text) && /^[0-9.]+[eE][+-]?[0-9]+$/.test(text)) return `must be written without an exponent, got ${quote(text)}`;
  return `must be a positive decimal number, got ${quote(text)}`;
}

function readDecimal(text: string): Decimal | string {
  const value = parseDecimal(text);
  if (value === undefined) return decimalProblem(text);
  if (!isPositive(value)) return `must be positive, got ${quote(text)}`;
  return value;
}

/**
 * Validates one record into a trade with its trading day (docs/computation.md §1).
 * Every rejection names the line and the field.
 */
export function parseTradeRecord(line: number, fields: RawFields): TradeParseResult {
  const reject = (field: TradeField, reason: string): TradeParseResult => ({ ok: false, line, field, reason });
  const required = (field: TradeField): { text: string; isNumber: boolean } | TradeParseResult => {
    const value = fieldText(fields[field]);
    if (value === undefined) return reject(field, 'missing');
    if ('error' in value) return reject(field, value.error);
    return value;
  };

  const symbolText = required('symbol');
  if ('ok' in symbolText) return symbolText;
  const symbol = symbolOf(symbolText.text);
  if (symbol === undefined) {
    return reject('symbol', `malformed symbol ${quote(symbolText.text)} (expected TICKER.REGION, region HK, US, SH, SZ or SG)`);
  }

  const timestampText = required('timestamp');
  if ('ok' in timestampText) return timestampText;
  const timestamp = parseTimestamp(timestampText.text);
  if (!timestamp.ok) return reject('timestamp', `${timestamp.reason}, got ${quote(timestampText.text)}`);

  const priceText = required('price');
  if ('ok' in priceText) return priceText;
  const price = readDecimal(priceText.text);
  if (typeof price === 'string') return reject('price', price);

  const volumeText = required('volume');
  if ('ok' in volumeText) return volumeText;
  const volume = readVolume(volumeText.text);
  if (typeof volume === 'string') return reject('volume', volume);

  const trade: { -readonly [K in keyof Trade]: Trade[K] } = {
    symbol: symbol.symbol,
    timestamp: timestamp.epochMs,
    price,
    volume,
  };

  const directionText = fieldText(fields.direction);
  if (directionText !== undefined) {
    if ('error' in directionText) return reject('direction', directionText.error);
    const direction: Direction | undefined | 'invalid' = parseDirection(directionText.text);
    if (direction === 'invalid') {
      return reject('direction', `unknown direction ${quote(directionText.text)} (up/buy/2, down/sell/1, neutral/0 or empty)`);
    }
    if (direction !== undefined) trade.direction = direction;
  }

  const tradeId = fieldText(fields.trade_id);
  if (tradeId !== undefined) {
    if ('error' in tradeId) return reject('trade_id', tradeId.error);
    if (tradeId.text.length > MAX_TRADE_ID_CHARS) return reject('trade_id', `longer than ${MAX_TRADE_ID_CHARS} characters`);
    trade.tradeId = tradeId.text;
  }

  for (const field of ['bid', 'ask'] as const) {
    const quoteText = fieldText(fields[field]);
    if (quoteText === undefined) continue;
    if ('error' in quoteText) return reject(field, quoteText.error);
    const value = readDecimal(quoteText.text);
    if (typeof value === 'string') return reject(field, value);
    trade[field] = value;
  }

  const tradeType = fieldText(fields.trade_type);
  if (tradeType !== undefined) {
    if ('error' in tradeType) return reject('trade_type', tradeType.error);
    if (tradeType.text.length > MAX_TRADE_TYPE_CHARS) {
      return reject('trade_type', `longer than ${MAX_TRADE_TYPE_CHARS} characters`);
    }
    trade.tradeType = tradeType.text;
  }

  return { ok: true, trade, date: dateOfDayNumber(localDayNumber(symbol.market, timestamp.epochMs)) };
}

/** Symbols as written, parsed once: a source holds few distinct symbols and many trades. */
const SYMBOLS = new Map<string, ParsedSymbol | undefined>();
function symbolOf(text: string): ParsedSymbol | undefined {
  let parsed = SYMBOLS.get(text);
  if (parsed === undefined && !SYMBOLS.has(text)) {
    if (SYMBOLS.size >= 65_536) SYMBOLS.clear();
    parsed = parseSymbol(text);
    SYMBOLS.set(text, parsed);
  }
  return parsed;
}

/** `YYYY-MM-DD` of a day number, remembered: a file holds few distinct days and many trades. */
const DATES = new Map<number, string>();
function dateOfDayNumber(dayNumber: number): string {
  let date = DATES.get(dayNumber);
  if (date === undefined) {
    if (DATES.size >= 4096) DATES.clear();
    date = dayNumberToDate(dayNumber);
    DATES.set(dayNumber, date);
  }
  return date;
}

/** A positive whole number of shares that is a safe integer ("100"; not "100.5", "0", "1e3"). */
function readVolume(text: string): number | string {
  if (!/^[0-9]+$/.test(text)) {
    if (text.startsWith('-')) return `must be a positive integer, got ${quote(text)}`;
    if (/^[0-9]*\.[0-9]+$/.test(text)) return `must be a whole number of shares, got ${quote(text)}`;
    return `must be a positive integer, got ${quote(text)}`;
  }
  if (text.length > 16) return `too large, got ${quote(text)}`;
  const volume = Number(text);
  if (!Number.isSafeInteger(volume)) return `too large, got ${quote(text)}`;
  if (volume === 0) return 'must be positive, got "0"';
  return volume;
}
