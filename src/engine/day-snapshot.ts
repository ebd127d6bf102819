import { Direction } from '../model/trade.js';
import type { Units } from './exact-units.js';
import type { TickState } from './flow-state.js';

/**
 * Everything a served symbol-day (DayFlow without its log) needs to go on exactly: sums as exact
 * integers at `scale`, the tick rule's memory and the counts. Trade ids are not part of it: the
 * store already refuses a repeated (symbol, date, trade id), so a day fed from the store sees each
 * id once and a restored day needs to remember only the ids it sees after the snapshot.
 */
export interface DayFlowSnapshot {
  readonly lineCount: number;
  /** The day's line grid (first and last line start, session end, grace end: see scheduleKey). */
  readonly scheduleKey: string;
  /** TierClassifier.key of the cut-offs the tier sums were split by. */
  readonly thresholdsKey: string;
  readonly scale: number;
  readonly processed: number;
  readonly duplicates: number;
  readonly excluded: number;
  /** -Infinity when no trade was processed. */
  readonly maxTimestampMs: number;
  /** NaN when no trade was counted in a line. */
  readonly lastCountedMs: number;
  readonly tick: Readonly<TickState>;
  /** The six distribution sums (inflow large/medium/small, outflow large/medium/small). */
  readonly tierSums: readonly Units[];
  /** Per-line net sums that are not zero, as [line index, value]. */
  readonly lines: readonly (readonly [number, Units])[];
}

/** What a snapshot must match of its day's schedule: other calendar data moves minutes between lines. */
export function scheduleKey(schedule: { readonly date: string; readonly lineStartMs: readonly number[]; readonly lastSessionEndMs: number; readonly graceEndMs: number }): string {
  const starts = schedule.lineStartMs;
  return `${schedule.date}/${starts[0] ?? ''}/${starts[starts.length - 1] ?? ''}/${schedule.lastSessionEndMs}/${schedule.graceEndMs}`;
}

const MAGIC0 = 0x43; // 'C'
const MAGIC1 = 0x46; // 'F'
/**
 * Bump it whenever what a day's state means changes (classification, trade-type policy, sessions,
 * tiers): a snapshot of another version is refused, and its day is replayed from its trades.
 */
const VERSION = 1;
/** Below this magnitude a zigzag value (2|v|+1) stays a safe integer. */
const NUMBER_ZIGZAG_LIMIT = 2 ** 51;

/** Bytes of a snapshot: varints (zigzag for signed values), exact for any integer size. */
export function encodeDaySnapshot(snapshot: DayFlowSnapshot): Uint8Array {
  const out = new ByteWriter();
  out.byte(MAGIC0);
  out.byte(MAGIC1);
  out.byte(VERSION);
  out.unsigned(snapshot.lineCount);
  out.text(snapshot.scheduleKey);
  out.text(snapshot.thresholdsKey);
  out.unsigned(snapshot.scale);
  out.unsigned(snapshot.processed);
  out.unsigned(snapshot.duplicates);
  out.unsigned(snapshot.excluded);
  out.optionalInstant(Number.isFinite(snapshot.maxTimestampMs) ? snapshot.maxTimestampMs : undefined);
  out.optionalInstant(Number.isNaN(snapshot.lastCountedMs) ? undefined : snapshot.lastCountedMs);
  out.byte(snapshot.tick.hasPrevious ? 1 : 0);
  out.signed(snapshot.tick.previousUnits);
  out.unsigned(snapshot.tick.previousScale);
  out.byte(snapshot.tick.lastChange);
  if (snapshot.tierSums.length !== 6) throw new RangeError('a snapshot has six tier sums');
  for (const sum of snapshot.tierSums) out.signed(sum);
  out.unsigned(snapshot.lines.length);
  let previous = -1;
  for (const [index, value] of snapshot.lines) {
    if (!(index > previous && index < snapshot.lineCount)) throw new RangeError('snapshot lines must be ascending and within the day');
    out.unsigned(index - previous);
    out.signed(value);
    previous = index;
  }
  return out.bytes();
}

/** The snapshot in `bytes`; throws on anything that is not a whole snapshot of this version. */
export function decodeDaySnapshot(bytes: Uint8Array): DayFlowSnapshot {
  const input = new ByteReader(bytes);
  if (input.byte() !== MAGIC0 || input.byte() !== MAGIC1) throw new Error('not a day snapshot');
  const version = input.byte();
  if (version !== VERSION) throw new Error(`day snapshot version ${version} is not understood`);
  const lineCount = input.unsigned();
  const scheduleKey = input.text();
  const thresholdsKey = input.text();
  const scale = input.unsigned();
  const processed = input.unsigned();
  const duplicates = input.unsigned();
  const excluded = input.unsigned();
  const maxTimestampMs = input.optionalInstant() ?? Number.NEGATIVE_INFINITY;
  const lastCountedMs = input.optionalInstant() ?? Number.NaN;
  const hasPrevious = input.byte() === 1;
  const previousUnits = input.signed();
  const previousScale = input.unsigned();
  const lastChange = input.byte();
  if (lastChange !== Direction.Neutral && lastChange !== Direction.Up && lastChange !== Direction.Down) {
    throw new Error('day snapshot: bad tick direction');
  }
  const tierSums: Units[] = [];
  for (let slot = 0; slot < 6; slot++) tierSums.push(input.signed());
  const count = input.unsigned();
  const lines: [number, Units][] = [];
  let index = -1;
  for (let i = 0; i < count; i++) {
    index += input.unsigned();
    if (index >= lineCount) throw new Error('day snapshot: line beyond the day');
    lines.push([index, input.signed()]);
  }
  if (!input.done) throw new Error('day snapshot: trailing bytes');
  return {
    lineCount,
    scheduleKey,
    thresholdsKey,
    scale,
    processed,
    duplicates,
    excluded,
    maxTimestampMs,
    lastCountedMs,
    tick: { hasPrevious, previousUnits, previousScale, lastChange: lastChange as Direction },
    tierSums,
    lines,
  };
}

class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  byte(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  unsigned(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a count: ${value}`);
    this.varint(value);
  }

  signed(value: Units): void {
    if (typeof value === 'number' && Math.abs(value) < NUMBER_ZIGZAG_LIMIT) {
      if (!Number.isInteger(value)) throw new RangeError(`not an integer: ${value}`);
      this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
      return;
    }
    const big = BigInt(value);
    let zigzag = big >= 0n ? big << 1n : ((-big) << 1n) - 1n;
    while (zigzag >= 128n) {
      this.byte(Number(zigzag & 127n) | 128);
      zigzag >>= 7n;
    }
    this.byte(Number(zigzag));
  }

  optionalInstant(value: number | undefined): void {
    if (value === undefined) {
      this.byte(0);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an instant: ${value}`);
    this.byte(1);
    this.signed(value);
  }

  text(value: string): void {
    const bytes = new TextEncoder().encode(value);
    this.unsigned(bytes.length);
    for (const b of bytes) this.byte(b);
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private varint(value: number): void {
    while (value >= 128) {
      this.byte((value % 128) | 128);
      value = Math.floor(value / 128);
    }
    this.byte(value);
  }
}

class ByteReader {
  private at = 0;

  constructor(private readonly data: Uint8Array) {}

  get done(): boolean {
    return this.at === this.data.length;
  }

  byte(): number {
    if (this.at >= this.data.length) throw new Error('day snapshot: truncated');
    return this.data[this.at++] as number;
  }

  unsigned(): number {
    const value = this.varint();
    if (typeof value !== 'number') throw new Error('day snapshot: count too large');
    return value;
  }

  signed(): Units {
    const zigzag = this.varint();
    if (typeof zigzag === 'number') return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    const value = (zigzag & 1n) === 0n ? zigzag >> 1n : -((zigzag + 1n) >> 1n);
    const small = Number(value);
    return Number.isSafeInteger(small) ? small : value;
  }

  optionalInstant(): number | undefined {
    if (this.byte() === 0) return undefined;
    const value = this.signed();
    if (typeof value !== 'number') throw new Error('day snapshot: instant too large');
    return value;
  }

  text(): string {
    const length = this.unsigned();
    if (this.at + length > this.data.length) throw new Error('day snapshot: truncated');
    const text = new TextDecoder().decode(this.data.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  /** A varint as a Number while it is a safe integer, else as a BigInt. */
  private varint(): Units {
    const start = this.at;
    let value = 0;
    let factor = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 127) * factor;
      if (b < 128) break;
      factor *= 128;
      if (factor >= 2 ** 49) {
        this.at = start;
        return this.bigVarint();
      }
    }
    return value;
  }

  private bigVarint(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      value |= BigInt(b & 127) << shift;
      if (b < 128) return value;
      shift += 7n;
      if (shift > 7n * 64n) throw new Error('day snapshot: varint too long');
    }
  }
}
