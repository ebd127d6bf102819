import { invalidRequest } from '../../model/errors.js';
import type { ParsedSymbol } from '../../model/symbol.js';
import type { FlowService } from '../../service/flow-service.js';
import { parseTierChoice, type TierChoice } from '../../service/tier-flows.js';
import type { HttpApi } from '../http/http-api.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import { BATCH_SYMBOL_LIMIT, runBatch, type BatchKindName } from '../quote/capital-flow-batch.js';
import type { DistributionSource } from '../quote/command25-distribution.js';
import { whenAdmitted } from './admitted.js';
import { distributionJson, intradayJson } from './flow-payloads.js';
import { FlowCommand, MAX_DAILY_RANGE_DAYS, type FlowQueries } from './flow-queries.js';
import type { CallerResolver } from './rest-caller.js';
import { tierDaily, type TierQueries } from './tier-queries.js';

/** Paths of capflow's additions to LongPort's numbers (documented in openapi-document.ts). */
export const TIER_REST_PATHS = {
  tiers: '/api/v1/capital-flow/tiers',
  history: '/api/v1/capital-flow/history',
  batch: '/api/v1/capital-flow/batch',
} as const;

export interface TierRoutesOptions {
  readonly callers: CallerResolver;
  readonly queries: FlowQueries;
  readonly tierQueries: TierQueries;
  readonly flows: FlowService;
  readonly rateLimiter: CommandRateLimiter;
  /** Command 25's answer under the server's convention (batch kind=distribution). */
  readonly distributionOf: DistributionSource;
  /** The server's default convention (`tiers`), used where a request names none. */
  readonly defaultChoice: TierChoice;
}

type JsonRegistrar = (method: string, path: string, handler: Parameters<HttpApi['json']>[2]) => void;

function choiceOf(params: URLSearchParams, fallback: TierChoice): TierChoice {
  const choice = parseTierChoice(params.get('convention'), params.get('days'), fallback.name);
  return params.get('days') === null && choice.name === fallback.name ? { ...choice, days: fallback.days } : choice;
}

/** Registers tiers, history and batch; every symbol-taking call draws on command 24's or 25's bucket. */
export function registerTierRoutes(json: JsonRegistrar, options: TierRoutesOptions): void {
  const { callers, queries, tierQueries } = options;
  json('GET', TIER_REST_PATHS.tiers, (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    return whenAdmitted(queries.admit(credential, FlowCommand.Distribution, params.get('symbol'), [params.get('date')]), (symbol) =>
      tierQueries.tiers(symbol, params.get('date'), choiceOf(params, options.defaultChoice)),
    );
  });
  json('GET', TIER_REST_PATHS.history, (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    return whenAdmitted(queries.admit(credential, FlowCommand.Intraday, params.get('symbol'), [params.get('from'), params.get('to')]), (symbol) =>
      tierQueries.history(symbol, params.get('period'), params.get('from'), params.get('to'), choiceOf(params, options.defaultChoice)),
    );
  });
  json('GET', TIER_REST_PATHS.batch, async (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    const kind = params.get('kind') ?? 'intraday';
    if (kind !== 'intraday' && kind !== 'distribution') throw invalidRequest(`kind must be intraday or distribution, got ${JSON.stringify(kind)}`);
    const symbols = (params.get('symbols') ?? '').split(',');
    const outcomes = await runBatch(credential, kind as BatchKindName, symbols, options.rateLimiter, options.flows, async (symbol) => {
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
          : { symbol: outcome.symbol, code: 0, data: outcome.value },
      ),
    };
  });
}

/**
 * `convention` (and `days`) on the daily and distribution endpoints: undefined when the request
 * names no convention, so the endpoint answers as before.
 */
export function conventionOf(params: URLSearchParams, fallback: TierChoice): TierChoice | undefined {
  return params.get('convention') === null ? undefined : choiceOf(params, fallback);
}

/** The daily endpoint with `convention`: the per-day tiers and main force, same range rules. */
export function dailyWithConvention(tierQueries: TierQueries, symbol: ParsedSymbol, from: string | null, to: string | null, choice: TierChoice) {
  return tierDaily(tierQueries, symbol, from, to, choice, MAX_DAILY_RANGE_DAYS);
}
