import { ApiLimits } from '../../contract/limits.js';
import { invalidRequest, noMarketAccess, rateLimited } from '../../model/errors.js';
import { isMarket, type Market } from '../../model/market.js';
import { RANK_BY, type RankBy } from '../../service/rankings/flow-figures.js';
import type { RankingRequest, RankingsService } from '../../service/rankings/rankings-service.js';
import { DEFAULT_PERCENTILE_DAYS, parseTierChoice } from '../../service/tier-flows.js';
import { rateLimitFor, type Credential } from '../auth/credential.js';
import type { HttpApi } from '../http/http-api.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import { FlowCommand } from './flow-queries.js';
import type { CallerResolver } from './rest-caller.js';

type JsonRegistrar = (method: string, path: string, handler: Parameters<HttpApi['json']>[2]) => void;

export interface RankingRoutesOptions {
  readonly callers: CallerResolver;
  readonly rankings: RankingsService;
  readonly rateLimiter: CommandRateLimiter;
}

/** Paths of the ranking endpoints (routes in src/contract). */
export const RANKING_PATHS = {
  rankings: '/api/v1/capital-flow/rankings',
  sectors: '/api/v1/capital-flow/sectors',
  sector: '/api/v1/capital-flow/sector',
} as const;

/** Registers rankings, sector rankings and sector lines; each call takes a token of command 24's bucket. */
export function registerRankingRoutes(json: JsonRegistrar, options: RankingRoutesOptions): void {
  const { callers, rankings } = options;
  json('GET', RANKING_PATHS.rankings, async (context) => {
    const credential = callers.resolve(context);
    await takeToken(options.rateLimiter, credential);
    const request = rankingRequest(context.searchParams, credential, true);
    return rankings.rankings(request);
  });
  json('GET', RANKING_PATHS.sectors, async (context) => {
    const credential = callers.resolve(context);
    await takeToken(options.rateLimiter, credential);
    return rankings.sectors(rankingRequest(context.searchParams, credential, false));
  });
  json('GET', RANKING_PATHS.sector, async (context) => {
    const credential = callers.resolve(context);
    await takeToken(options.rateLimiter, credential);
    const params = context.searchParams;
    const market = marketOf(params, credential);
    const name = params.get('name');
    if (name === null || name === '') throw invalidRequest('the name parameter is required: the sector, exactly as written in the securities file');
    return rankings.sectorLines(market, name, params.get('date') ?? undefined);
  });
}

/** One token of command 24's bucket, as every capital-flow REST call takes. */
async function takeToken(limiter: CommandRateLimiter, credential: Credential): Promise<void> {
  const command = FlowCommand.Intraday;
  const rule = rateLimitFor(credential, command);
  if (!rule) return;
  const taken = limiter.tryTake(credential.appKey, command, rule.limit, rule.burst);
  if (!(taken instanceof Promise ? await taken : taken)) {
    throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded (shared with command ${command})`);
  }
}

function marketOf(params: URLSearchParams, credential: Credential): Market {
  const text = params.get('market');
  if (text === null || text === '') throw invalidRequest('the market parameter is required: HK, US, CN or SG');
  const market = text.trim().toUpperCase();
  if (!isMarket(market)) throw invalidRequest(`market must be HK, US, CN or SG, got ${JSON.stringify(text)}`);
  if (!credential.markets.has(market)) throw noMarketAccess(market);
  return market;
}

function integer(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw invalidRequest(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The query of a ranking, validated (400 with a clear message for each bad value). */
export function rankingRequest(params: URLSearchParams, credential: Credential, bySymbol: boolean): RankingRequest {
  const market = marketOf(params, credential);
  const byText = params.get('by') ?? 'net';
  if (!(RANK_BY as readonly string[]).includes(byText)) throw invalidRequest(`by must be net or main_force, got ${JSON.stringify(byText)}`);
  const convention = parseTierChoice(params.get('convention'), null, 'longport');
  const daysText = params.get('days') ?? '1';
  const windows = ApiLimits.rankingWindows as readonly number[];
  if (!/^[0-9]{1,2}$/.test(daysText) || !windows.includes(Number(daysText))) throw invalidRequest(`days must be one of ${windows.join(', ')}, got ${JSON.stringify(daysText)}`);
  const order = params.get('order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw invalidRequest(`order must be desc or asc, got ${JSON.stringify(order)}`);
  const limit = integer(params, 'limit', ApiLimits.defaultRankingLimit, 1, ApiLimits.maxRankingLimit);
  const offset = integer(params, 'offset', 0, 0, 1_000_000_000);
  const sector = bySymbol ? (params.get('sector') ?? undefined) : undefined;
  return {
    market,
    date: params.get('date') ?? undefined,
    days: Number(daysText),
    measure: { by: byText as RankBy, convention: { name: convention.name, days: DEFAULT_PERCENTILE_DAYS } },
    order,
    limit,
    offset,
    ...(sector === undefined ? {} : { sector }),
  };
}
