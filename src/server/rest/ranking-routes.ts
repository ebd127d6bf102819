import { invalidRequest, rateLimited } from '../../model/errors.js';
import { marketOfQuery, rankingRequestOf } from '../../service/rankings/ranking-query.js';
import type { RankingsService } from '../../service/rankings/rankings-service.js';
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
    return rankings.rankings(rankingRequestOf(context.searchParams, credential.markets, true));
  });
  json('GET', RANKING_PATHS.sectors, async (context) => {
    const credential = callers.resolve(context);
    await takeToken(options.rateLimiter, credential);
    return rankings.sectors(rankingRequestOf(context.searchParams, credential.markets, false));
  });
  json('GET', RANKING_PATHS.sector, async (context) => {
    const credential = callers.resolve(context);
    await takeToken(options.rateLimiter, credential);
    const params = context.searchParams;
    const market = marketOfQuery(params, credential.markets);
    const name = params.get('name');
    if (name === null || name === '') throw invalidRequest('the name parameter is required: the sector, exactly as written in the securities file');
    return rankings.sectorLines(market, name, params.get('date') ?? undefined);
  });
}

/** One token of command 24's bucket, as every capital-flow REST call takes. */
export async function takeToken(limiter: CommandRateLimiter, credential: Credential): Promise<void> {
  const command = FlowCommand.Intraday;
  const rule = rateLimitFor(credential, command);
  if (!rule) return;
  const taken = limiter.tryTake(credential.appKey, command, rule.limit, rule.burst);
  if (!(taken instanceof Promise ? await taken : taken)) {
    throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded (shared with command ${command})`);
  }
}
