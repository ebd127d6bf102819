import { create, toBinary } from '@bufbuild/protobuf';
import { decodeBody } from '../../../protocol/body-codec.js';
import {
  BatchCapitalFlowRequestSchema,
  BatchCapitalFlowResponseSchema,
  BatchCapitalFlowResultSchema,
  BatchKind,
} from '../../../protocol/gen/capflow_pb.js';
import {
  CapitalDistributionResponse_CapitalDistributionSchema,
  CapitalDistributionResponseSchema,
  CapitalFlowIntradayResponse_CapitalFlowLineSchema,
  CapitalFlowIntradayResponseSchema,
} from '../../../protocol/gen/quote_pb.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import { BATCH_SYMBOL_LIMIT, runBatch, type BatchKindName } from '../../queries/batch.js';
import type { DistributionSource } from '../../queries/command25-distribution.js';
import type { CommandHandler } from './command-handler.js';

/** Socket command 210: a batch of command 24 or 25 answers. */
export function batchCapitalFlowHandler(flows: FlowService, limiter: CommandRateLimiter, distributionOf: DistributionSource): CommandHandler {
  return async (body, { credential }) => {
    const request = decodeBody(BatchCapitalFlowRequestSchema, body);
    const kind: BatchKindName = request.kind === BatchKind.DISTRIBUTION ? 'distribution' : 'intraday';
    const outcomes = await runBatch(credential, kind, request.symbols, limiter, flows, async (symbol) => {
      if (kind === 'intraday') {
        const { lines } = await flows.capitalFlow(symbol);
        return {
          intraday: create(CapitalFlowIntradayResponseSchema, {
            symbol: symbol.symbol,
            capitalFlowLines: lines.map((line) =>
              create(CapitalFlowIntradayResponse_CapitalFlowLineSchema, { inflow: line.inflow, timestamp: BigInt(line.timestamp) }),
            ),
          }),
        };
      }
      const distribution = await distributionOf(symbol);
      return {
        distribution: create(CapitalDistributionResponseSchema, {
          symbol: distribution.symbol,
          timestamp: BigInt(distribution.timestamp),
          capitalIn: create(CapitalDistributionResponse_CapitalDistributionSchema, distribution.capitalIn),
          capitalOut: create(CapitalDistributionResponse_CapitalDistributionSchema, distribution.capitalOut),
        }),
      };
    });
    return toBinary(
      BatchCapitalFlowResponseSchema,
      create(BatchCapitalFlowResponseSchema, {
        symbolLimit: BATCH_SYMBOL_LIMIT,
        results: outcomes.map((outcome) =>
          'error' in outcome
            ? create(BatchCapitalFlowResultSchema, {
                symbol: outcome.symbol,
                status: outcome.error.status,
                code: outcome.error.code,
                message: outcome.error.message,
              })
            : create(BatchCapitalFlowResultSchema, { symbol: outcome.symbol, ...outcome.value }),
        ),
      }),
    );
  };
}
