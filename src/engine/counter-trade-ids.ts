import type { TradeIdSet } from './trade-id-set.js';

/**
 * The trade ids of one symbol-day when they are all "one fixed prefix + a decimal counter"
 * (`700.HK-1041`, `88012`, `T-7`): the usual shape of a feed's trade numbers. Such an id is kept
 * as its counter alone, and counters as ascending ranges of consecutive values, so a day of
 * numbered trades costs a few bytes and a new id (greater than every earlier one) one comparison.
 *
 * Exact: the prefix is everything before the id's trailing run of digits (so it never ends in a
 * digit), and the counter must be written canonically (no leading zero, at most 15 digits): two
 * such ids with the same prefix are the same id exactly when their counters are equal. Any other
 * id is `Unsupported` and the caller must keep the day's ids in a general TradeIdSet instead
 * (`copyInto`).
 */

/** `check` answers: a counter >= 0 for a new id, else one of these. */
export const COUNTER_ID_DUPLICATE = -1;
export const COUNTER_ID_UNSUPPORTED = -2;

const ZERO = 48;
const MAX_COUNTER_DIGITS = 15;
const MAX_PREFIX_BYTES = 64;

export class CounterTradeIds {
  size = 0;
  /** The bytes before the counter, as a Latin-1 string (its characters sit inside the string object: one memory read). */
  private prefix: string | undefined;
  /** The range the latest counters extend, [openLow, openHigh]; -1 when empty. Kept in fields: the common case reads nothing else. */
  private openLow = -1;
  private openHigh = -1;
  /** Earlier closed ranges, ascending, disjoint, non-adjacent, below openLow: two numbers per range. */
  private ranges = new Float64Array(0);
  private rangeCount = 0;
  /** Counters that arrived below the greatest one without being in a range. */
  private others: Set<number> | undefined;

  /**
   * A new id's counter (>= 0), COUNTER_ID_DUPLICATE when the id is a member, or
   * COUNTER_ID_UNSUPPORTED when it does not have this day's shape. Changes nothing: `add` the
   * counter once the trade is taken.
   */
  check(bytes: Uint8Array, start: number, end: number): number {
    let digitsStart = end;
    while (digitsStart > start) {
      const d = (bytes[digitsStart - 1] as number) - ZERO;
      if (d < 0 || d > 9) break;
      digitsStart--;
    }
    let counter = 0;
    for (let i = digitsStart; i < end; i++) counter = counter * 10 + ((bytes[i] as number) - ZERO);
    return this.checkScanned(bytes, start, digitsStart, end, counter);
  }

  /**
   * `check` for a caller that met the id's trailing digits while scanning it forward:
   * `bytes[digitsStart..end)` is the id's trailing run of digits (possibly empty) and `counter`
   * their value (read as a Number: exact whenever it matters, as more than 15 digits are refused).
   */
  checkScanned(bytes: Uint8Array, start: number, digitsStart: number, end: number, counter: number): number {
    const digits = end - digitsStart;
    if (digits === 0 || digits > MAX_COUNTER_DIGITS || (digits > 1 && bytes[digitsStart] === ZERO)) return COUNTER_ID_UNSUPPORTED;
    const prefix = this.prefix;
    const prefixLength = digitsStart - start;
    if (prefix === undefined) {
      if (prefixLength > MAX_PREFIX_BYTES) return COUNTER_ID_UNSUPPORTED;
    } else {
      if (prefix.length !== prefixLength) return COUNTER_ID_UNSUPPORTED;
      for (let k = 0; k < prefixLength; k++) if (prefix.charCodeAt(k) !== bytes[start + k]) return COUNTER_ID_UNSUPPORTED;
    }
    return counter > this.openHigh || !this.has(counter) ? counter : COUNTER_ID_DUPLICATE;
  }

  /** Adds the counter of an id `check` found new (the first id also fixes the prefix). */
  add(counter: number, bytes: Uint8Array, start: number, end: number): void {
    if (this.prefix === undefined) {
      let digitsStart = end;
      while (digitsStart > start && (bytes[digitsStart - 1] as number) - ZERO >= 0 && (bytes[digitsStart - 1] as number) - ZERO <= 9) digitsStart--;
      let prefix = '';
      for (let i = start; i < digitsStart; i++) prefix += String.fromCharCode(bytes[i] as number);
      this.prefix = prefix;
    }
    this.size++;
    const high = this.openHigh;
    if (counter === high + 1 && high >= 0) {
      this.openHigh = counter;
    } else if (counter > high) {
      if (high >= 0) this.closeOpenRange();
      this.openLow = counter;
      this.openHigh = counter;
    } else {
      (this.others ??= new Set()).add(counter);
    }
  }

  /** Adds every member, as its id bytes, to a general set (ascending, so they append cheaply). */
  copyInto(set: TradeIdSet): void {
    const prefix = this.prefix;
    if (prefix === undefined) return;
    const bytes = new Uint8Array(prefix.length + MAX_COUNTER_DIGITS);
    for (let k = 0; k < prefix.length; k++) bytes[k] = prefix.charCodeAt(k);
    const put = (counter: number): void => {
      const digits = String(counter);
      for (let k = 0; k < digits.length; k++) bytes[prefix.length + k] = digits.charCodeAt(k);
      set.addBytes(bytes, 0, prefix.length + digits.length);
    };
    for (let r = 0; r < this.rangeCount; r++) {
      const high = this.ranges[2 * r + 1] as number;
      for (let counter = this.ranges[2 * r] as number; counter <= high; counter++) put(counter);
    }
    for (let counter = this.openLow; counter <= this.openHigh && counter >= 0; counter++) put(counter);
    this.others?.forEach(put);
  }

  private closeOpenRange(): void {
    const count = this.rangeCount;
    if (2 * count + 2 > this.ranges.length) {
      const grown = new Float64Array(Math.max(8, this.ranges.length * 2));
      grown.set(this.ranges);
      this.ranges = grown;
    }
    this.ranges[2 * count] = this.openLow;
    this.ranges[2 * count + 1] = this.openHigh;
    this.rangeCount = count + 1;
  }

  /** Whether a counter at or below openHigh is a member. */
  private has(counter: number): boolean {
    if (counter >= this.openLow) return true;
    if (this.others?.has(counter)) return true;
    const count = this.rangeCount;
    if (count === 0) return false;
    const ranges = this.ranges;
    // The last closed range whose low end is <= counter.
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((ranges[2 * mid] as number) <= counter) low = mid;
      else high = mid - 1;
    }
    return (ranges[2 * low] as number) <= counter && counter <= (ranges[2 * low + 1] as number);
  }
}
