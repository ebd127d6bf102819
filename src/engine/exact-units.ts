import { pow10 } from '../model/decimal.js';

/**
 * Exact integer arithmetic on scaled units (value = units / 10^scale) that stays in Number while
 * every intermediate is a safe integer and moves to BigInt only when it would not. Safety checks
 * are sound because an exact product or sum of safe integers beyond 2^53 - 1 can only round to a
 * magnitude >= 2^53, which Number.isSafeInteger rejects. Comparisons between a Number and a
 * BigInt are exact in JavaScript, so mixed operands compare directly.
 */
export type Units = number | bigint;

/** 10^0 … 10^15 as Numbers (10^15 is the largest power of ten below 2^53 - 1 usable as a factor). */
const POW10_NUMBER: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const MAX_NUMBER_DIGITS = POW10_NUMBER.length - 1;

/** units × 10^digits (digits >= 0), exactly. */
export function scaleUp(units: Units, digits: number): Units {
  if (digits === 0) return units;
  if (typeof units === 'number') {
    if (digits <= MAX_NUMBER_DIGITS) {
      const product = units * (POW10_NUMBER[digits] as number);
      if (Number.isSafeInteger(product)) return product;
    }
    return BigInt(units) * pow10(digits);
  }
  return units * pow10(digits);
}

/** a × b for safe-integer b, exactly. */
export function multiplyUnits(a: Units, b: number): Units {
  if (typeof a === 'number') {
    const product = a * b;
    if (Number.isSafeInteger(product)) return product;
    return BigInt(a) * BigInt(b);
  }
  return a * BigInt(b);
}

/** a + b, exactly. */
export function addUnits(a: Units, b: Units): Units {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return toBigInt(a) + toBigInt(b);
}

export function negateUnits(a: Units): Units {
  return -a;
}

export function toBigInt(a: Units): bigint {
  return typeof a === 'bigint' ? a : BigInt(a);
}

/** Sign of a − b (-1, 0, 1); operands may mix Number and BigInt. */
export function compareUnits(a: Units, b: Units): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sign of a/10^aScale − b/10^bScale, exactly. */
export function compareScaled(a: Units, aScale: number, b: Units, bScale: number): number {
  if (aScale === bScale) return compareUnits(a, b);
  return aScale < bScale ? compareUnits(scaleUp(a, bScale - aScale), b) : compareUnits(a, scaleUp(b, aScale - bScale));
}

/** Sign of price − (bid + ask) / 2, exactly (compares 2·price with bid + ask at a common scale). */
export function compareToMidpoint(
  price: Units,
  priceScale: number,
  bid: Units,
  bidScale: number,
  ask: Units,
  askScale: number,
): number {
  const scale = Math.max(priceScale, bidScale, askScale);
  const doubled = multiplyUnits(scaleUp(price, scale - priceScale), 2);
  const sum = addUnits(scaleUp(bid, scale - bidScale), scaleUp(ask, scale - askScale));
  return compareUnits(doubled, sum);
}

/** A Decimal's bigint units as a Number when that is exact, else left as BigInt. */
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
export function compactUnits(units: bigint): Units {
  return units <= MAX_SAFE_BIGINT && units >= -MAX_SAFE_BIGINT ? Number(units) : units;
}
