import type { Trade } from '../model/trade.js';
import { MethodCode, methodCodeOf } from './classification/classify.js';
import { compactUnits, type Units } from './exact-units.js';

/** Direction meaning "not given by the feed: classify" (docs/computation.md §3). */
export const DIRECTION_NOT_GIVEN = -1;
/** Quote units meaning "no bid / no ask". */
export const QUOTE_ABSENT = -1;

const NO_ID = new Uint8Array(0);
const UTF8 = new TextDecoder();

/** Trades held in bulk that read one of their rows into a record (the store's TradeColumns). */
export interface TradeRows {
  read(row: number, into: TradeFields): TradeFields;
}

/**
 * One trade as the engine takes it: every field by name, prices and quotes as scaled integers
 * (`57951, 2` is 579.51; a BigInt only beyond 2^53), the id as bytes. It is the one in-memory
 * form a trade travels in between a reader, the store's columns and the engine (DayFlow,
 * NumberDayFlow, FlowState, TradeLog, TradeSides): a reader fills one instance and reuses it for
 * every trade, so no object is made per trade, and no positional list of numbers can be swapped.
 */
export class TradeFields {
  timestampMs = 0;
  priceUnits: Units = 0;
  priceScale = 0;
  /** Whole shares (positive). */
  volume = 0;
  /** 0 neutral, 1 down, 2 up, DIRECTION_NOT_GIVEN (-1) when the feed gave none. */
  direction = DIRECTION_NOT_GIVEN;
  /** QUOTE_ABSENT (-1): no bid. */
  bidUnits: Units = QUOTE_ABSENT;
  bidScale = 0;
  /** QUOTE_ABSENT (-1): no ask. */
  askUnits: Units = QUOTE_ABSENT;
  askScale = 0;
  /** How a trade without a direction is classified (MethodCode). */
  method: number = MethodCode.LeeReady;
  /** The trade id as UTF-8 bytes `idBytes[idStart..idEnd)` (ASCII in practice); empty: no id. */
  idBytes: Uint8Array = NO_ID;
  idStart = 0;
  idEnd = 0;
  /**
   * Where the id's trailing digits start and their value, when a reader met them while scanning
   * the id (`CounterTradeIds.checkScanned`); -1: not scanned (the engine finds them itself).
   */
  idDigitsStart = -1;
  idCounter = 0;
  /** The feed's trade type code (rare: auctions, off-exchange reports…); undefined when none. */
  tradeType: string | undefined = undefined;

  /** Sets the trade id to `bytes[start..end)` (not scanned for digits). */
  setId(bytes: Uint8Array, start: number, end: number): void {
    this.idBytes = bytes;
    this.idStart = start;
    this.idEnd = end;
    this.idDigitsStart = -1;
  }

  /** Lets go of what the record points into (the id's bytes, the trade type): a record kept between trades holds no batch alive. */
  clearReferences(): void {
    this.idBytes = NO_ID;
    this.idStart = 0;
    this.idEnd = 0;
    this.idDigitsStart = -1;
    this.tradeType = undefined;
  }

  /** The id as text; undefined when none. */
  idText(): string | undefined {
    const { idBytes, idStart, idEnd } = this;
    return idEnd > idStart ? UTF8.decode(idBytes.subarray(idStart, idEnd)) : undefined;
  }

  /** Copies every field of `other` (the id bytes by reference). */
  copyFrom(other: TradeFields): void {
    this.timestampMs = other.timestampMs;
    this.priceUnits = other.priceUnits;
    this.priceScale = other.priceScale;
    this.volume = other.volume;
    this.direction = other.direction;
    this.bidUnits = other.bidUnits;
    this.bidScale = other.bidScale;
    this.askUnits = other.askUnits;
    this.askScale = other.askScale;
    this.method = other.method;
    this.idBytes = other.idBytes;
    this.idStart = other.idStart;
    this.idEnd = other.idEnd;
    this.idDigitsStart = other.idDigitsStart;
    this.idCounter = other.idCounter;
    this.tradeType = other.tradeType;
  }

  /**
   * Takes a validated `Trade` object's fields (exact: units beyond 2^53 as BigInt). Its id is a
   * string, which this form does not hold: the id bytes are cleared and the caller keeps the id.
   */
  setTrade(trade: Trade): this {
    const { price, bid, ask } = trade;
    this.timestampMs = trade.timestamp;
    this.priceUnits = compactUnits(price.units);
    this.priceScale = price.scale;
    this.volume = trade.volume;
    this.direction = trade.direction ?? DIRECTION_NOT_GIVEN;
    this.bidUnits = bid ? compactUnits(bid.units) : QUOTE_ABSENT;
    this.bidScale = bid ? bid.scale : 0;
    this.askUnits = ask ? compactUnits(ask.units) : QUOTE_ABSENT;
    this.askScale = ask ? ask.scale : 0;
    this.method = methodCodeOf(trade.classification);
    this.idBytes = NO_ID;
    this.idStart = 0;
    this.idEnd = 0;
    this.idDigitsStart = -1;
    this.tradeType = trade.tradeType;
    return this;
  }

  /** The fields of a `Trade` object in a new record (for tests and one-off callers). */
  static of(trade: Trade): TradeFields {
    return new TradeFields().setTrade(trade);
  }
}

/** The data fields of a TradeFields, by name, with the id as text: what `tradeFields` takes. */
export type TradeFieldValues = Partial<Omit<TradeFields, 'setId' | 'copyFrom' | 'setTrade'>> & { readonly id?: string | undefined };

const ASCII = new TextEncoder();

/** A fresh record with the given fields (the others at their defaults); `id` as text becomes the id bytes. For tests and one-off callers. */
export function tradeFields(values: TradeFieldValues): TradeFields {
  const { id, ...fields } = values;
  const record = Object.assign(new TradeFields(), fields);
  if (id !== undefined) {
    const bytes = ASCII.encode(id);
    record.setId(bytes, 0, bytes.length);
  }
  return record;
}
