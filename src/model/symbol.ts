import { REGION_MARKET, isRegion, type Market, type Region } from './market.js';

export interface ParsedSymbol {
  /** Normalised symbol, e.g. `700.HK`, `BRK.B.US`. */
  readonly symbol: string;
  readonly ticker: string;
  readonly region: Region;
  readonly market: Market;
}

const TICKER_CHARS = /^[A-Z0-9.]+$/;
const ALL_DIGITS = /^[0-9]+$/;

/**
 * Parses `TICKER.REGION` (docs/computation.md §1): the region follows the last dot,
 * case-insensitive, kept in upper case; an all-digit HK ticker loses its leading zeros.
 * Returns undefined for anything malformed.
 */
export function parseSymbol(text: string): ParsedSymbol | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  const upper = text.toUpperCase();
  const dot = upper.lastIndexOf('.');
  if (dot <= 0 || dot === upper.length - 1) return undefined;
  const region = upper.slice(dot + 1);
  if (!isRegion(region)) return undefined;
  let ticker = upper.slice(0, dot);
  if (!TICKER_CHARS.test(ticker)) return undefined;
  if (region === 'HK' && ALL_DIGITS.test(ticker)) {
    ticker = ticker.replace(/^0+(?=\d)/, '');
  }
  return { symbol: `${ticker}.${region}`, ticker, region, market: REGION_MARKET[region] };
}

/** Market of an already normalised symbol (undefined when malformed). */
export function marketOfSymbol(symbol: string): Market | undefined {
  return parseSymbol(symbol)?.market;
}
