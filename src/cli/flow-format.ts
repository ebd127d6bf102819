/** Display helpers for amounts that arrive as exact 3-decimal strings: no float touches a value shown. */

/** `-1234.500` → -1234500n (thousandths); undefined when not a 3-decimal amount. */
export function toThousandths(amount: string): bigint | undefined {
  const match = /^(-?)(\d+)\.(\d{3})$/.exec(amount);
  if (!match) return undefined;
  const value = BigInt(match[2]!) * 1000n + BigInt(match[3]!);
  return match[1] === '-' ? -value : value;
}

/** Thousandths as text with thousands separators, e.g. `-1,234.500`; `signed` adds `+` to positives. */
export function formatThousandths(value: bigint, signed = false): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const whole = (magnitude / 1000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (magnitude % 1000n).toString().padStart(3, '0');
  const sign = negative ? '-' : signed && magnitude !== 0n ? '+' : '';
  return `${sign}${whole}.${fraction}`;
}

/** An amount string with separators (left as is when it is not a 3-decimal amount). */
export function groupAmount(amount: string): string {
  const value = toThousandths(amount);
  return value === undefined ? amount : formatThousandths(value);
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A Unicode sparkline of a cumulative series, at most `width` characters: each character shows the
 * value at the end of its slice of the series (the running total as it stood then).
 */
export function sparkline(values: readonly bigint[], width = 60): string {
  if (values.length === 0) return '';
  const columns = Math.min(width, values.length);
  const sampled: bigint[] = [];
  for (let column = 0; column < columns; column++) {
    sampled.push(values[Math.ceil(((column + 1) * values.length) / columns) - 1]!);
  }
  let low = sampled[0]!;
  let high = sampled[0]!;
  for (const value of sampled) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const range = high - low;
  return sampled
    .map((value) => (range === 0n ? BARS[3]! : BARS[Number(((value - low) * 7n + range / 2n) / range)]!))
    .join('');
}

/** `2024-06-14T09:30:00+08:00` → `09:30` (the exchange-local minute). */
export function localMinute(time: string): string {
  return time.slice(11, 16);
}

/** Right-aligns cells into columns separated by two spaces (the first column left-aligned). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd(),
    )
    .join('\n');
}
