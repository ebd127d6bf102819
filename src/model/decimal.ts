/**
 * Exact decimals as scaled integers: value = units / 10^scale. No binary floating point is
 * ever used for money: text is read digit by digit, products and sums stay integers.
 */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

/** Longest decimal text accepted (digits); guards against absurd inputs. */
export const MAX_DECIMAL_DIGITS = 40;

const POW10: bigint[] = [];
export function pow10(n: number): bigint {
  let value = POW10[n];
  if (value === undefined) {
    value = 10n ** BigInt(n);
    POW10[n] = value;
  }
  return value;
}

/**
 * Reads unsigned decimal text (`35.07`, `0.0049`, `12`, `.5` is rejected): digits with an
 * optional single dot between digits; no sign, no exponent. Returns undefined when malformed.
 */
export function parseDecimal(text: string): Decimal | undefined {
  const length = text.length;
  if (length === 0 || length > MAX_DECIMAL_DIGITS + 1) return undefined;
  let dot = -1;
  let small = 0; // fast path while the value stays a safe integer
  let big: bigint | undefined;
  let digits = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (dot !== -1 || i === 0 || i === length - 1) return undefined;
      dot = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    digits++;
    if (big === undefined) {
      const next = small * 10 + d;
      if (next <= Number.MAX_SAFE_INTEGER) {
        small = next;
        continue;
      }
      big = BigInt(small);
    }
    big = big * 10n + BigInt(d);
  }
  if (digits === 0) return undefined;
  const scale = dot === -1 ? 0 : length - dot - 1;
  return { units: big ?? BigInt(small), scale };
}

export function isPositive(value: Decimal): boolean {
  return value.units > 0n;
}

/** Same value at a larger scale. */
export function rescale(value: Decimal, scale: number): bigint {
  if (scale < value.scale) throw new RangeError('rescale would lose digits');
  return value.units * pow10(scale - value.scale);
}

/** Compares two decimals exactly (-1, 0, 1). */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Canonical text of a decimal, trailing zeros kept as given by the scale. */
export function decimalToString(value: Decimal): string {
  return formatScaled(value.units, value.scale, value.scale);
}

/**
 * Formats units / 10^scale with exactly `places` decimals, rounding half away from zero
 * (only here, never while accumulating). A result that rounds to zero has no minus sign.
 */
export function formatScaled(units: bigint, scale: number, places = 3): string {
  const negative = units < 0n;
  let magnitude = negative ? -units : units;
  if (scale > places) {
    const divisor = pow10(scale - places);
    const quotient = magnitude / divisor;
    const remainder = magnitude - quotient * divisor;
    magnitude = remainder * 2n >= divisor ? quotient + 1n : quotient;
  } else if (scale < places) {
    magnitude *= pow10(places - scale);
  }
  let digits = magnitude.toString();
  if (places > 0) {
    if (digits.length <= places) digits = '0'.repeat(places - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  }
  return negative && magnitude !== 0n ? `-${digits}` : digits;
}

/** Formats a decimal with exactly 3 places (the wire format of amounts). */
export function formatAmount(value: Decimal): string {
  return formatScaled(value.units, value.scale, 3);
}
