import type { ClassificationMethod } from '../model/trade.js';

/**
 * Records as read from a source, before validation. Readers never interpret values: CSV gives
 * text, NDJSON gives strings, the exact text of number tokens, nulls, or the kind of a value the
 * trade parser will reject.
 */

/** Column names (CSV header) and keys (NDJSON) of a trade record, docs/computation.md §1. */
export const TRADE_FIELDS = [
  'symbol',
  'timestamp',
  'price',
  'volume',
  'direction',
  'trade_id',
  'bid',
  'ask',
  'trade_type',
] as const;
export type TradeField = (typeof TRADE_FIELDS)[number];

export const REQUIRED_TRADE_FIELDS = ['symbol', 'timestamp', 'price', 'volume'] as const satisfies readonly TradeField[];

/** A JSON number token, kept as its exact source text (never converted to a binary float). */
export class JsonNumberText {
  constructor(readonly text: string) {}
}

/** A JSON value that is not a string, number or null (the trade parser rejects it). */
export class JsonOtherValue {
  constructor(readonly type: 'boolean' | 'object' | 'array') {}
}

/** A field value: text (CSV field or JSON string), a JSON number, JSON null, or another JSON value. */
export type RawValue = string | JsonNumberText | JsonOtherValue | null;

export type RawFields = { [F in TradeField]?: RawValue };

/** One record of a source: its fields, or the reason it could not be read at all. */
export type SourceItem =
  | {
      readonly line: number;
      readonly fields: RawFields;
      /** Set by format adapters that decided the side themselves (e.g. the order-sequence rule). */
      readonly classification?: ClassificationMethod;
    }
  | { readonly line: number; readonly error: string };

export function isTradeField(name: string): name is TradeField {
  return (TRADE_FIELDS as readonly string[]).includes(name);
}

/** Longest record (CSV record or NDJSON line) accepted, in characters. */
export const MAX_RECORD_CHARS = 1 << 20;
