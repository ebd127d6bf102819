import { formatScaled } from '../model/decimal.js';
import type { Units } from './exact-units.js';

/** 10^0 … 10^15 (each exact as a Number). */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * Largest count of thousandths `toFixed(3)` writes exactly: below 2^43 a double's spacing is at
 * most 2^-10, so the double nearest to n / 1000 lies within 0.0005 of it and `toFixed(3)` (which
 * writes a double's exact value, rounded) gives back n / 1000. One flat string, built natively:
 * cheaper to make and to keep than the same text joined from pieces.
 */
const TO_FIXED_EXACT_LIMIT = 2 ** 52;

/**
 * `formatScaled(units, scale, 3)` for units held as a Number or a BigInt: the same text (exactly
 * 3 decimals, half away from zero, never `-0.000`), without creating a BigInt when the units are a
 * safe integer — every step below is exact integer arithmetic on Numbers (`%` and the division of
 * a multiple are exact; products are checked to stay safe).
 */
export function formatUnits3(units: Units, scale: number): string {
  if (typeof units === 'bigint' || !Number.isSafeInteger(units) || scale > 15) return formatScaled(BigInt(units), scale, 3);
  const negative = units < 0;
  let magnitude = negative ? -units : units;
  if (scale > 3) {
    const divisor = POW10[scale - 3] as number;
    const remainder = magnitude % divisor;
    magnitude = (magnitude - remainder) / divisor + (remainder * 2 >= divisor ? 1 : 0);
  } else if (scale < 3) {
    magnitude *= POW10[3 - scale] as number;
    if (!Number.isSafeInteger(magnitude)) return formatScaled(BigInt(units), scale, 3);
  }
  if (magnitude <= TO_FIXED_EXACT_LIMIT) return ((negative ? -magnitude : magnitude) / 1000).toFixed(3);
  // Whole part and three decimals by exact integer steps, joined once (no slicing of a digit string).
  const fraction = magnitude % 1000;
  const whole = (magnitude - fraction) / 1000;
  const text = whole + (fraction >= 100 ? '.' : fraction >= 10 ? '.0' : '.00') + fraction;
  return negative && magnitude !== 0 ? `-${text}` : text;
}
