import { create, toBinary } from '@bufbuild/protobuf';
import type { ParsedSymbol } from '../../../model/symbol.js';
import {
  CapitalDistributionResponse_CapitalDistributionSchema,
  CapitalDistributionResponseSchema,
  CapitalFlowIntradayRequestSchema,
  CapitalFlowIntradayResponse_CapitalFlowLineSchema,
  CapitalFlowIntradayResponseSchema,
  SecurityRequestSchema,
} from '../../../protocol/gen/quote_pb.js';
import type { DayDistribution, FlowService } from '../../../service/flow-service.js';
import type { CommandHandler } from './command-handler.js';
import { CapitalFlowBodyCache } from './capital-flow-cache.js';
import type { CapitalFlowLine, DayFlow } from '../../../engine/index.js';
import { ServedDateCache } from './served-date-cache.js';
import { requestSymbol } from './request-symbol.js';
import { resolveSymbol } from '../../queries/symbol-access.js';

/**
 * Command 24: the served day's cumulative net inflow, one line per minute. Answered at once (no
 * promise) when the served day is loaded, which is every request but the first of a symbol-day;
 * the encoded body is cached per day version.
 */
export function capitalFlowHandler(flows: FlowService): CommandHandler {
  const cache = new CapitalFlowBodyCache();
  const servedDates = new ServedDateCache();
  const answer = (symbol: ParsedSymbol, day: DayFlow, now: number): Uint8Array =>
    cache.body(day, now, () => encodeCapitalFlow(symbol.symbol, day.lines(now)));
  return (body, { credential }) => {
    const symbol = resolveSymbol(requestSymbol(CapitalFlowIntradayRequestSchema, body), credential, flows);
    const now = flows.now(symbol.market);
    const date = servedDates.servedDate(symbol.market, now);
    const loaded = flows.loadedDay(symbol.symbol, date);
    if (loaded) return answer(symbol, loaded, now);
    // First request of this symbol-day: load it, then "now" again (as FlowService.capitalFlow).
    return flows.dayFlow(symbol, date).then((day) => answer(symbol, day, flows.now(symbol.market)));
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
    const symbol = resolveSymbol(requestSymbol(SecurityRequestSchema, body), credential, flows);
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
