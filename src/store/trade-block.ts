import { decimalToString } from '../model/decimal.js';
import { decimalFromText } from './stored-decimal.js';
import type { TradeColumns } from './trade-columns.js';
import { TradeFields } from '../engine/trade-fields.js';

/**
 * The binary form of a trade block: the trades of one symbol-day stored by one append, one
 * record after the other, each
 *
 *   flags (1 byte) · seq delta · timestamp delta (zigzag) · price · volume · [bid] · [ask] ·
 *   [trade id: length + UTF-8 bytes] · [trade type: length + UTF-8 bytes] · [method (1 byte)]
 *
 * Integers are base-128 varints computed with arithmetic (exact up to 2^53). A price or quote is
 * `units` (varint) + `scale` (1 byte), or — for a record flagged TEXT_DECIMALS, whose decimals do
 * not fit a Number — its exact text (length + ASCII), so BigInt-sized values stay exact.
 * The first record's seq delta is from the block's `first_seq` (so 0), its timestamp delta from 0.
 */
const DIRECTION_MASK = 3; // 0: not given, else direction + 1
const HAS_BID = 4;
const HAS_ASK = 8;
const HAS_ID = 16;
const HAS_TYPE = 32;
const HAS_METHOD = 64;
const TEXT_DECIMALS = 128;

/** Accumulates the records of one block. */
export class TradeBlockWriter {
  private buf: Buffer;
  length = 0;
  count = 0;
  firstSeq = 0;
  lastSeq = 0;
  private lastTimestamp = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the block's bytes. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  reset(): void {
    this.length = 0;
    this.count = 0;
    this.firstSeq = 0;
    this.lastSeq = 0;
    this.lastTimestamp = 0;
  }

  /** Writes row `row` of `columns` with sequence number `seq`. */
  write(columns: TradeColumns, row: number, seq: number): void {
    if (this.buf.length - this.length < 64) this.ensure(64);
    const exact = columns.exact.size === 0 ? undefined : columns.exact.get(row);
    const direction = columns.direction[row] as number;
    const bid = columns.bidUnits[row] as number;
    const ask = columns.askUnits[row] as number;
    const idStart = columns.idStart[row] as number;
    const idEnd = columns.idEnd[row] as number;
    const tradeType = columns.tradeType.size === 0 ? undefined : columns.tradeType.get(row);
    const method = columns.method[row] as number;
    let flags = direction >= 0 ? direction + 1 : 0;
    if (exact ? exact.bid !== undefined : bid >= 0) flags |= HAS_BID;
    if (exact ? exact.ask !== undefined : ask >= 0) flags |= HAS_ASK;
    if (idEnd > idStart) flags |= HAS_ID;
    if (tradeType !== undefined) flags |= HAS_TYPE;
    if (method >= 0) flags |= HAS_METHOD;
    if (exact) flags |= TEXT_DECIMALS;
    this.buf[this.length++] = flags;
    if (this.count === 0) this.firstSeq = seq;
    this.varint(seq - (this.count === 0 ? seq : this.lastSeq));
    this.lastSeq = seq;
    const timestamp = columns.timestamp[row] as number;
    const delta = timestamp - this.lastTimestamp;
    this.varint(delta >= 0 ? delta * 2 : -delta * 2 - 1);
    this.lastTimestamp = timestamp;
    if (exact) {
      this.text(decimalToString(exact.price));
      this.varint(columns.volume[row] as number);
      if (exact.bid !== undefined) this.text(decimalToString(exact.bid));
      if (exact.ask !== undefined) this.text(decimalToString(exact.ask));
    } else {
      this.varint(columns.priceUnits[row] as number);
      this.buf[this.length++] = columns.priceScale[row] as number;
      this.varint(columns.volume[row] as number);
      if (bid >= 0) {
        this.varint(bid);
        this.buf[this.length++] = columns.bidScale[row] as number;
      }
      if (ask >= 0) {
        this.varint(ask);
        this.buf[this.length++] = columns.askScale[row] as number;
      }
    }
    if (idEnd > idStart) {
      const length = idEnd - idStart;
      this.ensure(length + 8);
      this.varint(length);
      const ids = columns.idBytes;
      const buf = this.buf;
      let at = this.length;
      for (let i = idStart; i < idEnd; i++) buf[at++] = ids[i] as number;
      this.length = at;
    }
    if (tradeType !== undefined) this.text(tradeType);
    if (method >= 0) {
      this.ensure(1);
      this.buf[this.length++] = method;
    }
    this.count++;
  }

  private text(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.ensure(bytes + 8);
    this.varint(bytes);
    this.length += this.buf.write(value, this.length, 'utf8');
  }

  private varint(value: number): void {
    const buf = this.buf;
    let at = this.length;
    while (value >= 128) {
      buf[at++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    buf[at++] = value;
    this.length = at;
  }

  private ensure(extra: number): void {
    if (this.length + extra + 16 <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra + 64));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/**
 * Decodes a block into `out` (rows appended, `seq` set), keeping only rows with
 * `after < seq <= upTo`. `day` is the index of the block's symbol-day in `out.days`.
 * Returns the rows appended.
 */
export function decodeTradeBlock(
  data: Uint8Array,
  firstSeq: number,
  day: number,
  out: TradeColumns,
  after = 0,
  upTo = Number.MAX_SAFE_INTEGER,
): number {
  let at = 0;
  let seq = firstSeq;
  let timestamp = 0;
  let appended = 0;
  const end = data.length;
  const trade = new TradeFields(); // one record for the block's rows
  // Varints read inline: this loop is what a restart or a rebuild runs once per stored trade.
  while (at < end) {
    const flags = data[at++] as number;
    let value = 0;
    let factor = 1;
    let b: number;
    do {
      b = data[at++] as number;
      value += (b & 127) * factor;
      factor *= 128;
    } while (b >= 128);
    seq += value;
    value = 0;
    factor = 1;
    do {
      b = data[at++] as number;
      value += (b & 127) * factor;
      factor *= 128;
    } while (b >= 128);
    timestamp += value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    let priceUnits = Number.NaN;
    let priceScale = 0;
    let priceText: string | undefined;
    let bidUnits = -1;
    let bidScale = 0;
    let bidText: string | undefined;
    let askUnits = -1;
    let askScale = 0;
    let askText: string | undefined;
    let volume: number;
    if ((flags & TEXT_DECIMALS) === 0) {
      value = 0;
      factor = 1;
      do {
        b = data[at++] as number;
        value += (b & 127) * factor;
        factor *= 128;
      } while (b >= 128);
      priceUnits = value;
      priceScale = data[at++] as number;
      value = 0;
      factor = 1;
      do {
        b = data[at++] as number;
        value += (b & 127) * factor;
        factor *= 128;
      } while (b >= 128);
      volume = value;
      if ((flags & HAS_BID) !== 0) {
        value = 0;
        factor = 1;
        do {
          b = data[at++] as number;
          value += (b & 127) * factor;
          factor *= 128;
        } while (b >= 128);
        bidUnits = value;
        bidScale = data[at++] as number;
      }
      if ((flags & HAS_ASK) !== 0) {
        value = 0;
        factor = 1;
        do {
          b = data[at++] as number;
          value += (b & 127) * factor;
          factor *= 128;
        } while (b >= 128);
        askUnits = value;
        askScale = data[at++] as number;
      }
    } else {
      [priceText, at] = readText(data, at);
      [volume, at] = readVarint(data, at);
      if ((flags & HAS_BID) !== 0) [bidText, at] = readText(data, at);
      if ((flags & HAS_ASK) !== 0) [askText, at] = readText(data, at);
    }
    let idStart = 0;
    let idEnd = 0;
    if ((flags & HAS_ID) !== 0) {
      let length: number;
      [length, at] = readVarint(data, at);
      idStart = at;
      idEnd = at + length;
      at = idEnd;
    }
    let tradeType: string | undefined;
    if ((flags & HAS_TYPE) !== 0) [tradeType, at] = readText(data, at);
    const method = (flags & HAS_METHOD) !== 0 ? (data[at++] as number) : -1;
    if (seq <= after || seq > upTo) continue;
    trade.timestampMs = timestamp;
    trade.priceUnits = priceUnits;
    trade.priceScale = priceScale;
    trade.volume = volume;
    trade.direction = (flags & DIRECTION_MASK) - 1;
    trade.bidUnits = bidUnits;
    trade.bidScale = bidScale;
    trade.askUnits = askUnits;
    trade.askScale = askScale;
    trade.setId(data, idStart, idEnd);
    trade.tradeType = tradeType;
    const row = out.addRow(day, trade, method);
    out.seq[row] = seq;
    if (priceText !== undefined) {
      out.exact.set(row, {
        price: decimalFromText(priceText),
        bid: bidText === undefined ? undefined : decimalFromText(bidText),
        ask: askText === undefined ? undefined : decimalFromText(askText),
      });
      // An exact row's quotes are in `exact`; mark their presence the way addTrade does.
      out.bidUnits[row] = bidText === undefined ? -1 : Number.NaN;
      out.askUnits[row] = askText === undefined ? -1 : Number.NaN;
    }
    appended++;
  }
  return appended;
}

function readVarint(data: Uint8Array, at: number): [number, number] {
  let value = 0;
  let factor = 1;
  let b: number;
  do {
    b = data[at++] as number;
    value += (b & 127) * factor;
    factor *= 128;
  } while (b >= 128);
  return [value, at];
}

function readText(data: Uint8Array, at: number): [string, number] {
  const [length, start] = readVarint(data, at);
  return [Buffer.from(data.buffer, data.byteOffset + start, length).toString('utf8'), start + length];
}

/** Order of trade ids as feeds number them: by length, then bytes (`X-9` < `X-10`). */
export function compareIdBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  if (aLength !== bLength) return aLength < bLength ? -1 : 1;
  for (let k = 0; k < aLength; k++) {
    const x = a[aStart + k] as number;
    const y = b[bStart + k] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
