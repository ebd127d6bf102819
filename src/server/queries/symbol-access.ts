import { invalidRequest, noAccess, noQuotes, unknownSymbol } from '../../model/errors.js';
import { parseSymbol, type ParsedSymbol } from '../../model/symbol.js';
import type { FlowService } from '../../service/flow-service.js';
import type { Credential } from '../auth/credential.js';

/**
 * The checks of docs/errors.md, in their order: symbol format, market permission,
 * known symbol, data present (the rate limit was already taken by the dispatcher). A caller
 * without a market's permission learns nothing about which of its symbols exist.
 */
export function resolveSymbol(text: string, credential: Credential, flows: FlowService): ParsedSymbol {
  const symbol = parseRequestSymbol(text);
  if (!symbol) throw invalidRequest(`invalid symbol ${JSON.stringify(text)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
  if (!credential.markets.has(symbol.market)) throw noAccess(symbol.symbol, symbol.market);
  if (!flows.isKnown(symbol.symbol)) throw unknownSymbol(symbol.symbol);
  if (!flows.hasData(symbol.symbol)) throw noQuotes(symbol.symbol);
  return symbol;
}

/** Longest request text worth remembering (parseSymbol refuses more than 64 characters anyway). */
const MAX_REMEMBERED_TEXT = 80;
/** Distinct texts remembered before starting afresh (a client sending junk cannot grow it). */
const MAX_REMEMBERED = 4096;
const parsed = new Map<string, ParsedSymbol | null>();

/** `parseSymbol(text.trim())`, remembered: a hot symbol is parsed once. */
export function parseRequestSymbol(text: string): ParsedSymbol | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known ?? undefined;
  const symbol = parseSymbol(text.trim());
  if (text.length <= MAX_REMEMBERED_TEXT) {
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(text, symbol ?? null);
  }
  return symbol;
}
