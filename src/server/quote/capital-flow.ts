import { create, toBinary } from '@bufbuild/protobuf';
import { invalidRequest, noAccess, noQuotes, unknownSymbol } from '../../model/errors.js';
import { parseSymbol, type ParsedSymbol } from '../../model/symbol.js';
import { decodeBody } from '../../protocol/body-codec.js';
import {
  CapitalDistributionResponse_CapitalDistributionSchema,
  CapitalDistributionResponseSchema,
  CapitalFlowIntradayRequestSchema,
  CapitalFlowIntradayResponse_CapitalFlowLineSchema,
  CapitalFlowIntradayResponseSchema,
  SecurityRequestSchema,
} from '../../protocol/gen/quote_pb.js';
import type { DayDistribution, FlowService } from '../../service/flow-service.js';
import type { Credential } from '../auth/credential.js';
import type { CommandHandler } from './command-handler.js';
import { CapitalFlowBodyCache } from './capital-flow-cache.js';
import type { CapitalFlowLine } from '../../engine/index.js';

/**
 * The checks of capital-flow.md section 6, in their order: symbol format, market permission,
 * known symbol, data present (the rate limit was already taken by the dispatcher). A caller
 * without a market's permission learns nothing about which of its symbols exist.
 */
export function resolveSymbol(text: string, credential: Credential, flows: FlowService): ParsedSymbol {
  const symbol = parseSymbol(text.trim());
  if (!symbol) throw invalidRequest(`invalid symbol ${JSON.stringify(text)}: expected TICKER.REGION with region HK, US, SH, SZ or SG`);
  if (!credential.markets.has(symbol.market)) throw noAccess(symbol.symbol, symbol.market);
  if (!flows.isKnown(symbol.symbol)) throw unknownSymbol(symbol.symbol);
  if (!flows.hasData(symbol.symbol)) throw noQuotes(symbol.symbol);
  return symbol;
}

/** Command 24: the served day's cumulative net inflow, one line per minute. */
export function capitalFlowHandler(flows: FlowService): CommandHandler {
  const cache = new CapitalFlowBodyCache();
  return async (body, { credential }) => {
    const request = decodeBody(CapitalFlowIntradayRequestSchema, body);
    const symbol = resolveSymbol(request.symbol, credential, flows);
    // The served day's state, then "now" (as FlowService.capitalFlow); the encoded body is cached per day version.
    const day = await flows.dayFlow(symbol, flows.servedSchedule(symbol.market).date);
    const now = flows.now(symbol.market);
    return cache.body(day, now, () => encodeCapitalFlow(symbol.symbol, day.lines(now)));
  };
}

/** The command-24 response body of a symbol's lines. */
export function encodeCapitalFlow(symbol: string, lines: readonly CapitalFlowLine[]): Uint8Array {
  return toBinary(
    CapitalFlowIntradayResponseSchema,
    create(CapitalFlowIntradayResponseSchema, {
      symbol,
      capitalFlowLines: lines.map((line) =>
        create(CapitalFlowIntradayResponse_CapitalFlowLineSchema, { inflow: line.inflow, timestamp: BigInt(line.timestamp) }),
      ),
    }),
  );
}

/** Command 25: the served day's inflow and outflow by trade size. */
export function capitalDistributionHandler(
  flows: FlowService,
  /** The answer under the server's size-tier convention (command25-distribution.ts); default the engine's longport tiers. */
  distributionOf: (symbol: ParsedSymbol) => Promise<DayDistribution> = (symbol) => flows.capitalDistribution(symbol),
): CommandHandler {
  return async (body, { credential }) => {
    const request = decodeBody(SecurityRequestSchema, body);
    const symbol = resolveSymbol(request.symbol, credential, flows);
    const distribution = await distributionOf(symbol);
    return toBinary(
      CapitalDistributionResponseSchema,
      create(CapitalDistributionResponseSchema, {
        symbol: distribution.symbol,
        timestamp: BigInt(distribution.timestamp),
        capitalIn: create(CapitalDistributionResponse_CapitalDistributionSchema, distribution.capitalIn),
        capitalOut: create(CapitalDistributionResponse_CapitalDistributionSchema, distribution.capitalOut),
      }),
    );
  };
}
