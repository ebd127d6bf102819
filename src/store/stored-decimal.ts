import type { Decimal } from '../model/decimal.js';

/**
 * Exact decimal from stored text: the digits are the units, the digits after the dot the scale,
 * so a value reads back with the very units and scale it was written with.
 */
export function decimalFromText(text: string): Decimal {
  const dot = text.indexOf('.');
  if (dot === -1) return { units: BigInt(text), scale: 0 };
  return { units: BigInt(text.slice(0, dot) + text.slice(dot + 1)), scale: text.length - dot - 1 };
}
