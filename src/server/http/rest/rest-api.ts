import { readFileSync } from 'node:fs';
import { openApiDocument } from '../../../contract/openapi.js';
import type { FlowService } from '../../../service/flow-service.js';
import type { FlowStore } from '../../../store/flow-store.js';
import { credentialGeneration } from '../../auth/credential.js';
import type { ContractRouter } from '../contract-router.js';
import { sendJson } from '../http-api.js';
import type { CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import { CapitalFlowStreams } from './capital-flow-stream.js';
import { FlowQueries } from '../../queries/flow-queries.js';
import { flowServiceLineUpdates, type LineUpdateSource } from './line-update-source.js';
import type { StreamTokenIssuer } from './stream-tokens.js';
import { DEFAULT_PERCENTILE_DAYS, TierFlows, type TierChoice } from '../../../service/tier-flows.js';
import { command25Distribution, type DistributionSource } from '../../queries/command25-distribution.js';
import { TierQueries } from '../../queries/tier-queries.js';
import { conventionOf, dailyWithConvention, registerTierRoutes } from './tier-routes.js';
import { type Logger } from '../../../logging/logger.js';
import { registerRankingRoutes } from './ranking-routes.js';
import { registerMinuteTradesRoute } from './minute-trades-route.js';
import type { RankingsService } from '../../../service/rankings/rankings-service.js';
import type { SecurityDirectory } from '../../../service/rankings/security-directory.js';

export interface RestApiOptions {
  flows: FlowService;
  store: FlowStore;
  /** The server's rate limiter: a batch takes a token per symbol from the buckets of commands 24 and 25 (a fleet's are shared). */
  rateLimiter: CommandRateLimiter;
  /** Stream tokens (`POST /api/v1/stream-token`), redeemed by the router's caller check. */
  streamTokens: StreamTokenIssuer;
  /** Where live line changes come from (default: the flow service's trade hook). */
  updates?: LineUpdateSource;
  heartbeatMs?: number;
  coalesceMs?: number;
  maxStreams?: number;
  /** Live streams per credential unless it sets its own `streams` (default 10). */
  maxStreamsPerCredential?: number;
  logger?: Logger;
  /** Size-tier views (shared with command 25 and 210); a fresh one when not given. */
  tierFlows?: TierFlows;
  /** The server's default size-tier convention (`tiers`; default longport). */
  tiers?: TierChoice;
  /** Names and sectors (`--securities`, config `securities`) shown in rankings. */
  securities?: SecurityDirectory;
  /** The rankings kept current as trades arrive (shared with socket command 211). */
  rankings: RankingsService;
}

export interface RestApi {
  readonly streams: CapitalFlowStreams;
  /** Ends the live streams (before the HTTP server closes). */
  close(): void;
}

/** `detail=1|true` → true; absent, `0` or `false` → false (the contract refuses anything else). */
function flag(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Serves the capital-flow routes, the live stream and the OpenAPI description generated from the contract. */
export function registerRestApi(routes: ContractRouter, options: RestApiOptions): RestApi {
  const tokens = options.streamTokens;
  const queries = new FlowQueries({ flows: options.flows, store: options.store });
  const streams = new CapitalFlowStreams({
    queries,
    flows: options.flows,
    updates: options.updates ?? flowServiceLineUpdates(options.flows),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }),
    ...(options.maxStreams === undefined ? {} : { maxStreams: options.maxStreams }),
    ...(options.maxStreamsPerCredential === undefined ? {} : { maxStreamsPerCredential: options.maxStreamsPerCredential }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const tierFlows = options.tierFlows ?? new TierFlows(options.flows, options.store);
  const defaultChoice: TierChoice = options.tiers ?? { name: 'longport', days: DEFAULT_PERCENTILE_DAYS };
  const tierQueries = new TierQueries({ flows: options.flows, store: options.store, queries, tierFlows });
  const distributionOf: DistributionSource = command25Distribution(options.flows, tierFlows, defaultChoice);

  routes.envelope('intraday', ({ credential, query }) =>
    queries.intraday(queries.admit(credential, query.symbol), query.date ?? null, flag(query.detail)),
  );
  routes.envelope('daily', ({ credential, query }) => {
    const symbol = queries.admit(credential, query.symbol);
    const convention = conventionOf(query, defaultChoice);
    return convention
      ? dailyWithConvention(tierQueries, symbol, query.from ?? null, query.to ?? null, convention)
      : queries.daily(symbol, query.from ?? null, query.to ?? null);
  });
  routes.envelope('distribution', ({ credential, query }) => {
    const symbol = queries.admit(credential, query.symbol);
    const convention = conventionOf(query, defaultChoice);
    // Without `convention`: command 25's content (three tiers, the server's convention).
    return convention
      ? tierQueries.distribution(symbol, query.date ?? null, convention)
      : tierQueries.commandDistribution(symbol, query.date ?? null, defaultChoice);
  });
  routes.envelope('symbols', ({ credential }) => queries.symbols(credential));
  registerMinuteTradesRoute(routes, { queries, flows: options.flows, store: options.store });
  registerRankingRoutes(routes, { rankings: options.rankings });
  registerTierRoutes(routes, { queries, tierQueries, flows: options.flows, rateLimiter: options.rateLimiter, distributionOf, defaultChoice });
  routes.envelope('streamToken', ({ credential }) => {
    const issued = tokens.issue(credential.appKey, credentialGeneration(credential));
    return { token: issued.token, expiresAt: Math.floor(issued.expiresAt / 1000), ttlSeconds: Math.round(tokens.ttlMs / 1000) };
  });
  routes.raw('stream', ({ credential, query }, response) => streams.open(response, credential, queries.admit(credential, query.symbol), flag(query.detail)));
  const document = openApiDocument(packageVersion());
  routes.raw('openapi', (_call, response) => sendJson(response, 200, document));

  return { streams, close: () => streams.closeAll() };
}
