/**
 * Formatting of the server's exact amount strings (`-24384680.860`). Exact figures are shown
 * from the text itself, never through a float; only the chart and the compact labels use
 * numbers.
 */

const MINUS = '\u2212';

/** `-24384680.860` → `−24,384,680.860` (digits untouched). */
export function groupDigits(amount: string): string {
  const negative = amount.startsWith('-');
  const unsigned = negative ? amount.slice(1) : amount;
  const [whole = '0', fraction] = unsigned.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? MINUS : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** `-24384680.86` → `−24.38M`; thousands K, millions M, billions B. */
export function compactAmount(value: number): string {
  const magnitude = Math.abs(value);
  const sign = value < 0 ? MINUS : '';
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (magnitude >= size) return `${sign}${(magnitude / size).toFixed(magnitude / size >= 100 ? 1 : 2)}${suffix}`;
  }
  return `${sign}${magnitude.toFixed(magnitude >= 100 ? 0 : 2)}`;
}

export function amountValue(amount: string | undefined): number {
  return amount === undefined ? 0 : Number(amount);
}

/** Sign class of an amount string: inflow, outflow or flat. */
export function signOf(amount: string): 'positive' | 'negative' | 'flat' {
  if (/^-/.test(amount) && /[1-9]/.test(amount)) return 'negative';
  return /[1-9]/.test(amount) ? 'positive' : 'flat';
}

/**
 * Seconds for the chart's time axis so that it reads the exchange's local time: the chart
 * labels UTC, so the line's UTC offset (from its `time`, e.g. `+08:00`) is added.
 */
export function exchangeAxisSeconds(timestamp: number, localTime: string): number {
  return timestamp + offsetSeconds(localTime);
}

export function offsetSeconds(localTime: string): number {
  const match = /([+-])(\d{2}):(\d{2})$/.exec(localTime);
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/** `2024-06-14T09:30:00+08:00` → `09:30`. */
export function clockOf(localTime: string): string {
  return localTime.slice(11, 16);
}
