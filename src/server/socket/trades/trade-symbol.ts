import { invalidRequest, noAccess, unknownSymbol } from '../../../model/errors.js';
import type { ParsedSymbol } from '../../../model/symbol.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { Credential } from '../../auth/credential.js';
import { parseRequestSymbol } from '../../queries/symbol-access.js';

/** The symbol a trade command may name, parsed; a malformed one is 3/301600. */
export function parseTradeSymbol(text: string): ParsedSymbol {
  const symbol = parseRequestSymbol(text);
  if (!symbol) throw invalidRequest(`invalid symbol ${JSON.stringify(text)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
  return symbol;
}

/**
 * Command 24's checks in its order, except "has data": format (3/301600), market permission
 * (7/301604), known symbol (7/301600). A known symbol without trades has an empty tape.
 */
export function resolveTradeSymbol(text: string, credential: Credential, flows: FlowService): ParsedSymbol {
  const symbol = parseTradeSymbol(text);
  if (!credential.markets.has(symbol.market)) throw noAccess(symbol.symbol, symbol.market);
  if (!flows.isKnown(symbol.symbol)) throw unknownSymbol(symbol.symbol);
  return symbol;
}
