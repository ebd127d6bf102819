import { invalidRequest } from '../../../model/errors.js';
import { marketOfQuery, rankingRequestOf } from '../../../service/rankings/ranking-query.js';
import type { RankingsService } from '../../../service/rankings/rankings-service.js';
import type { ContractRouter } from '../contract-router.js';

export interface RankingRoutesOptions {
  readonly rankings: RankingsService;
}

/**
 * Rankings, sector rankings and sector lines (routes in src/contract). The router takes each
 * call's token of command 24's bucket; the query's meaning is checked by the rankings service's
 * own reader, which the socket's command 211 shares.
 */
export function registerRankingRoutes(routes: ContractRouter, options: RankingRoutesOptions): void {
  const { rankings } = options;
  routes.envelope('rankings', ({ credential, context }) => rankings.rankings(rankingRequestOf(context.searchParams, credential.markets, true)));
  routes.envelope('sectors', ({ credential, context }) => rankings.sectors(rankingRequestOf(context.searchParams, credential.markets, false)));
  routes.envelope('sector', ({ credential, context }) => {
    const params = context.searchParams;
    const market = marketOfQuery(params, credential.markets);
    const name = params.get('name');
    if (name === null || name === '') throw invalidRequest('the name parameter is required: the sector, exactly as written in the securities file');
    return rankings.sectorLines(market, name, params.get('date') ?? undefined);
  });
}
