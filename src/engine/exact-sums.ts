import { pow10 } from '../model/decimal.js';
import type { Units } from './exact-units.js';

/**
 * A fixed number of exact integer accumulators. Each slot is `small + big`: additions go to the
 * Number part while it stays a safe integer (no allocation per trade); when a sum would leave
 * the safe range the Number part is folded into the BigInt part.
 */
export class ExactSums {
  private readonly small: Float64Array;
  private readonly big: bigint[];
  /** False while no slot has ever had a BigInt part: then reads need no BigInt comparison. */
  private anyBig = false;

  constructor(readonly size: number) {
    this.small = new Float64Array(size);
    this.big = new Array<bigint>(size).fill(0n);
  }

  add(slot: number, amount: Units): void {
    const small = this.small[slot] as number;
    if (typeof amount === 'number') {
      const sum = small + amount;
      if (Number.isSafeInteger(sum)) {
        this.small[slot] = sum;
        return;
      }
      this.big[slot] = (this.big[slot] as bigint) + BigInt(small) + BigInt(amount);
    } else {
      this.big[slot] = (this.big[slot] as bigint) + BigInt(small) + amount;
    }
    this.small[slot] = 0;
    this.anyBig = true;
  }

  /** Sets every slot to the safe integers `values` (same size). */
  setNumbers(values: Float64Array): void {
    if (values.length !== this.size) throw new RangeError('setNumbers: size differs');
    for (let slot = 0; slot < this.size; slot++) {
      const value = values[slot] as number;
      if (!Number.isSafeInteger(value)) throw new RangeError('setNumbers: not a safe integer');
      this.small[slot] = value;
      this.big[slot] = 0n;
    }
  }

  /** Sets one slot to an exact value (restoring a snapshot). */
  set(slot: number, value: Units): void {
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.small[slot] = value;
      this.big[slot] = 0n;
      return;
    }
    this.small[slot] = 0;
    this.big[slot] = BigInt(value);
    this.anyBig = true;
  }

  /** Exact value of a slot. */
  value(slot: number): bigint {
    return BigInt(this.small[slot] as number) + (this.big[slot] as bigint);
  }

  /** A slot's exact value as a Number when it is held there alone (no BigInt part), else undefined. */
  smallValue(slot: number): number | undefined {
    return !this.anyBig || this.big[slot] === 0n ? (this.small[slot] as number) : undefined;
  }

  /** Whether a slot is exactly zero (cheap: no BigInt created when the big part is empty). */
  isZero(slot: number): boolean {
    return this.small[slot] === 0 && (!this.anyBig || this.big[slot] === 0n);
  }

  /** Multiplies every slot by 10^digits (when the common scale of the sums grows). */
  scaleBy(digits: number): void {
    if (digits === 0) return;
    const factor = pow10(digits);
    for (let slot = 0; slot < this.size; slot++) {
      if (this.isZero(slot)) continue;
      const scaled = this.value(slot) * factor;
      const asNumber = Number(scaled);
      if (Number.isSafeInteger(asNumber)) {
        this.small[slot] = asNumber;
        this.big[slot] = 0n;
      } else {
        this.small[slot] = 0;
        this.big[slot] = scaled;
        this.anyBig = true;
      }
    }
  }
}
