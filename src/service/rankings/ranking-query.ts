import { invalidRequest, noMarketAccess } from '../../model/errors.js';
import { isMarket, type Market } from '../../model/market.js';
import { DEFAULT_PERCENTILE_DAYS, parseTierChoice } from '../tier-flows.js';
import { RANK_BY, type RankBy } from './flow-figures.js';
import type { RankingRequest } from './rankings-service.js';
import { RANKING_WINDOWS } from './trading-window.js';

/** Items of a ranking page by default and at most (documented in src/contract/limits.ts). */
export const DEFAULT_RANKING_LIMIT = 50;
export const MAX_RANKING_LIMIT = 500;

/** A query's parameters as text (URLSearchParams, or a socket request's fields): null when absent. */
export interface QueryParams {
  get(name: string): string | null;
}

/** The market of a query: required, one of HK, US, CN, SG (any case), and among `allowed` (else 403/301604). */
export function marketOfQuery(params: QueryParams, allowed: ReadonlySet<Market>): Market {
  const text = params.get('market');
  if (text === null || text === '') throw invalidRequest('the market parameter is required: HK, US, CN or SG');
  const market = text.trim().toUpperCase();
  if (!isMarket(market)) throw invalidRequest(`market must be HK, US, CN or SG, got ${JSON.stringify(text)}`);
  if (!allowed.has(market)) throw noMarketAccess(market);
  return market;
}

function integer(params: QueryParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw invalidRequest(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/**
 * A ranking query, validated (400 with a clear message for each bad value): market, by,
 * convention, days, date, order, limit, offset and (symbol rankings) sector.
 */
export function rankingRequestOf(params: QueryParams, allowed: ReadonlySet<Market>, bySymbol: boolean): RankingRequest {
  const market = marketOfQuery(params, allowed);
  const byText = params.get('by') ?? 'net';
  if (!(RANK_BY as readonly string[]).includes(byText)) throw invalidRequest(`by must be net or main_force, got ${JSON.stringify(byText)}`);
  const convention = parseTierChoice(params.get('convention'), null, 'longport');
  const daysText = params.get('days') ?? '1';
  const windows = RANKING_WINDOWS as readonly number[];
  if (!/^[0-9]{1,2}$/.test(daysText) || !windows.includes(Number(daysText))) throw invalidRequest(`days must be one of ${windows.join(', ')}, got ${JSON.stringify(daysText)}`);
  const order = params.get('order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw invalidRequest(`order must be desc or asc, got ${JSON.stringify(order)}`);
  const limit = integer(params, 'limit', DEFAULT_RANKING_LIMIT, 1, MAX_RANKING_LIMIT);
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
