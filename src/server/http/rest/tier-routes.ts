import type { ParsedSymbol } from '../../../model/symbol.js';
import type { FlowService } from '../../../service/flow-service.js';
import { parseTierChoice, type TierChoice } from '../../../service/tier-flows.js';
import type { ContractRouter } from '../contract-router.js';
import type { CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import { BATCH_SYMBOL_LIMIT, runBatch, type BatchKindName } from '../../queries/batch.js';
import type { DistributionSource } from '../../queries/command25-distribution.js';
import { distributionJson, intradayJson } from '../../queries/flow-payloads.js';
import { MAX_DAILY_RANGE_DAYS, type FlowQueries } from '../../queries/flow-queries.js';
import { tierDaily, type TierQueries } from '../../queries/tier-queries.js';

export interface TierRoutesOptions {
  readonly queries: FlowQueries;
  readonly tierQueries: TierQueries;
  readonly flows: FlowService;
  readonly rateLimiter: CommandRateLimiter;
  /** Command 25's answer under the server's convention (batch kind=distribution). */
  readonly distributionOf: DistributionSource;
  /** The server's default convention (`tiers`), used where a request names none. */
  readonly defaultChoice: TierChoice;
}

/** The size-tier parameters of a request (already checked against the contract). */
interface TierParams {
  readonly convention?: string | undefined;
  readonly days?: number | undefined;
}

function choiceOf(query: TierParams, fallback: TierChoice): TierChoice {
  const choice = parseTierChoice(query.convention ?? null, query.days === undefined ? null : String(query.days), fallback.name);
  return query.days === undefined && choice.name === fallback.name ? { ...choice, days: fallback.days } : choice;
}

/** Serves tiers, history and batch; the batch takes a token per symbol from the bucket of the command it mirrors. */
export function registerTierRoutes(routes: ContractRouter, options: TierRoutesOptions): void {
  const { queries, tierQueries } = options;
  routes.envelope('tiers', ({ credential, query }) =>
    tierQueries.tiers(queries.admit(credential, query.symbol), query.date ?? null, choiceOf(query, options.defaultChoice)),
  );
  routes.envelope('history', ({ credential, query }) =>
    tierQueries.history(queries.admit(credential, query.symbol), query.period ?? null, query.from ?? null, query.to ?? null, choiceOf(query, options.defaultChoice)),
  );
  routes.envelope('batch', async ({ credential, query }) => {
    const kind: BatchKindName = query.kind ?? 'intraday';
    const outcomes = await runBatch(credential, kind, query.symbols.split(','), options.rateLimiter, options.flows, async (symbol) => {
      if (kind === 'intraday') {
        const schedule = options.flows.servedSchedule(symbol.market);
        const day = await options.flows.dayFlow(symbol, schedule.date);
        return intradayJson(symbol, schedule, day.lines(options.flows.now(symbol.market)));
      }
      const distribution = await options.distributionOf(symbol);
      return distributionJson(symbol, distribution.date, distribution);
    });
    return {
      kind,
      symbolLimit: BATCH_SYMBOL_LIMIT,
      results: outcomes.map((outcome) =>
        'error' in outcome
          ? { symbol: outcome.symbol, code: outcome.error.code, httpStatus: outcome.error.httpStatus, message: outcome.error.message }
          : { symbol: outcome.symbol, code: 0 as const, data: outcome.value },
      ),
    };
  });
}

/**
 * `convention` (and `days`) on the daily and distribution endpoints: undefined when the request
 * names no convention, so the endpoint answers as before.
 */
export function conventionOf(query: TierParams, fallback: TierChoice): TierChoice | undefined {
  return query.convention === undefined ? undefined : choiceOf(query, fallback);
}

/** The daily endpoint with `convention`: the per-day tiers and main force, same range rules. */
export function dailyWithConvention(tierQueries: TierQueries, symbol: ParsedSymbol, from: string | null, to: string | null, choice: TierChoice) {
  return tierDaily(tierQueries, symbol, from, to, choice, MAX_DAILY_RANGE_DAYS);
}
