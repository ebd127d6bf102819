/** Command 24 answered the plain way, for tests proving the served path answers the same bytes. */
import { invalidRequest, noAccess, noQuotes, unknownSymbol } from '../../../model/errors.js';
import { parseSymbol } from '../../../model/symbol.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import { CapitalFlowIntradayRequestSchema } from '../../../protocol/gen/quote_pb.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { Credential } from '../../auth/credential.js';
import { encodeCapitalFlow } from './capital-flow.js';

/**
 * Command 24 as it was answered before the handler learnt to answer without a promise: the
 * protobuf decoder, the checks of docs/errors.md in order, FlowService.capitalFlow and
 * a fresh encoding. Throws the CapflowError of a failure.
 */
export async function referenceCapitalFlowAnswer(body: Uint8Array, credential: Credential, flows: FlowService): Promise<Uint8Array> {
  const text = decodeBody(CapitalFlowIntradayRequestSchema, body).symbol;
  const symbol = parseSymbol(text.trim());
  if (!symbol) throw invalidRequest(`invalid symbol ${JSON.stringify(text)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
  if (!credential.markets.has(symbol.market)) throw noAccess(symbol.symbol, symbol.market);
  if (!flows.isKnown(symbol.symbol)) throw unknownSymbol(symbol.symbol);
  if (!flows.hasData(symbol.symbol)) throw noQuotes(symbol.symbol);
  return encodeCapitalFlow(symbol.symbol, (await flows.capitalFlow(symbol)).lines);
}
