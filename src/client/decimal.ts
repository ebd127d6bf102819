/**
 * An exact decimal number (a bigint of units and a scale), the value type of every amount the
 * client returns. Text from the server is kept digit for digit (`-24384680.860` stays exactly
 * that); `toNumber()` is only a convenience for charts and never the value of record.
 */
export class Decimal {
  private readonly units: bigint;
  private readonly scale: number;

  /** From decimal text (`-12.340`, `5`, `1e-3`), a bigint, or a finite number (via its shortest text). */
  constructor(value: string | number | bigint) {
    if (typeof value === 'bigint') {
      this.units = value;
      this.scale = 0;
      return;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const parsed = parseDecimalText(String(value));
    if (!parsed) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
    this.units = parsed.units;
    this.scale = parsed.scale;
  }

  static ZERO(): Decimal {
    return new Decimal(0n);
  }

  private static of(units: bigint, scale: number): Decimal {
    const result = Object.create(Decimal.prototype) as { units: bigint; scale: number };
    result.units = units;
    result.scale = scale;
    return result as unknown as Decimal;
  }

  /** The decimal text, with the scale it was given (trailing zeros kept). */
  toString(): string {
    const negative = this.units < 0n;
    let digits = (negative ? -this.units : this.units).toString();
    if (this.scale > 0) {
      digits = digits.padStart(this.scale + 1, '0');
      digits = `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`;
    }
    return negative ? `-${digits}` : digits;
  }

  /** The nearest binary float: for display and charts only. */
  toNumber(): number {
    return Number(this.toString());
  }

  toJSON(): string {
    return this.toString();
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  /** -1, 0 or 1, exactly. */
  comparedTo(other: Decimal): number {
    const [a, b] = aligned(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.comparedTo(other) === 0;
  }

  greaterThan(other: Decimal): boolean {
    return this.comparedTo(other) > 0;
  }

  greaterThanOrEqualTo(other: Decimal): boolean {
    return this.comparedTo(other) >= 0;
  }

  lessThan(other: Decimal): boolean {
    return this.comparedTo(other) < 0;
  }

  lessThanOrEqualTo(other: Decimal): boolean {
    return this.comparedTo(other) <= 0;
  }

  add(other: Decimal): Decimal {
    const [a, b, scale] = aligned(this, other);
    return Decimal.of(a + b, scale);
  }

  sub(other: Decimal): Decimal {
    const [a, b, scale] = aligned(this, other);
    return Decimal.of(a - b, scale);
  }

  mul(other: Decimal): Decimal {
    return Decimal.of(this.units * other.units, this.scale + other.scale);
  }

  neg(): Decimal {
    return Decimal.of(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** @internal */
  static parts(value: Decimal): { units: bigint; scale: number } {
    return { units: value.units, scale: value.scale };
  }
}

function aligned(x: Decimal, y: Decimal): [bigint, bigint, number] {
  const a = Decimal.parts(x);
  const b = Decimal.parts(y);
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,4}))?$/;

function parseDecimalText(text: string): { units: bigint; scale: number } | undefined {
  const plain = parsePlainDecimal(text);
  if (plain) return plain;
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText] = match;
  let units = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - Number(exponentText ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

/**
 * The common case without a regular expression or a digit string: `-?digits(.digits)?` with at
 * most 15 digits, whose units are an exact Number (10^15 < 2^53). Anything else: undefined.
 */
function parsePlainDecimal(text: string): { units: bigint; scale: number } | undefined {
  const length = text.length;
  let at = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    at = 1;
  }
  let units = 0;
  let digits = 0;
  let dot = -1;
  for (let i = at; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot === -1 && i > at && i < length - 1) {
      dot = i;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > 15) return undefined;
  const big = BigInt(units);
  return { units: negative ? -big : big, scale: dot === -1 ? 0 : length - dot - 1 };
}
