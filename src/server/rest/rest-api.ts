import { readFileSync } from 'node:fs';
import { invalidRequest } from '../../model/errors.js';
import type { FlowService } from '../../service/flow-service.js';
import type { FlowStore } from '../../store/flow-store.js';
import { credentialGeneration, type CredentialRegistry } from '../auth/credential.js';
import { sendJson, type HttpApi } from '../http/http-api.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import { whenAdmitted } from './admitted.js';
import { CallerResolver } from './rest-caller.js';
import { CapitalFlowStreams } from './capital-flow-stream.js';
import { MINUTE_TRADES_PATH, minuteTradesRoute } from './minute-trades-route.js';
import { FlowCommand, FlowQueries } from './flow-queries.js';
import { flowServiceLineUpdates, type LineUpdateSource } from './line-update-source.js';
import { openApiDocument, REST_PATHS } from './openapi-document.js';
import { StreamTokenIssuer } from './stream-tokens.js';
import { DEFAULT_PERCENTILE_DAYS, TierFlows, type TierChoice } from '../../service/tier-flows.js';
import { command25Distribution, type DistributionSource } from '../quote/command25-distribution.js';
import { TierQueries } from './tier-queries.js';
import { conventionOf, dailyWithConvention, registerTierRoutes } from './tier-routes.js';

export interface RestApiOptions {
  flows: FlowService;
  store: FlowStore;
  credentials: CredentialRegistry;
  /** The server's rate limiter: REST calls take tokens from the buckets of commands 24 and 25 (a fleet's are shared). */
  rateLimiter: CommandRateLimiter;
  /** App key that unauthenticated REST/SSE requests act as (a public dashboard). */
  publicCredential?: string | undefined;
  /** Where live line changes come from (default: the flow service's trade hook). */
  updates?: LineUpdateSource;
  streamTokenTtlMs?: number;
  heartbeatMs?: number;
  coalesceMs?: number;
  maxStreams?: number;
  /** Live streams per credential unless it sets its own `streams` (default 10). */
  maxStreamsPerCredential?: number;
  log?: (message: string, error?: unknown) => void;
  /** Size-tier views (shared with command 25 and 210); a fresh one when not given. */
  tierFlows?: TierFlows;
  /** The server's default size-tier convention (`tiers`; default longport). */
  tiers?: TierChoice;
}

export interface RestApi {
  /** Every route registered, for the OpenAPI coverage check. */
  readonly routes: readonly { method: string; path: string }[];
  readonly streams: CapitalFlowStreams;
  /** Stream tokens (`POST /api/v1/stream-token`): a rotated or revoked credential's are forgotten. */
  readonly streamTokens: StreamTokenIssuer;
  /** Ends the live streams (before the HTTP server closes). */
  close(): void;
}

/** `detail=1|true` → true; absent, `0` or `false` → false; anything else is a bad request. */
function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw invalidRequest(`${name} must be 1 or 0, got ${JSON.stringify(value)}`);
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Registers the REST API, the live stream and the OpenAPI description on the server's HTTP router. */
export function registerRestApi(api: HttpApi, options: RestApiOptions): RestApi {
  const tokens = new StreamTokenIssuer(options.streamTokenTtlMs);
  const callers = new CallerResolver({ credentials: options.credentials, tokens, publicCredential: options.publicCredential });
  const queries = new FlowQueries({ flows: options.flows, store: options.store, rateLimiter: options.rateLimiter });
  const streams = new CapitalFlowStreams({
    queries,
    flows: options.flows,
    updates: options.updates ?? flowServiceLineUpdates(options.flows),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }),
    ...(options.maxStreams === undefined ? {} : { maxStreams: options.maxStreams }),
    ...(options.maxStreamsPerCredential === undefined ? {} : { maxStreamsPerCredential: options.maxStreamsPerCredential }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const tierFlows = options.tierFlows ?? new TierFlows(options.flows, options.store);
  const defaultChoice: TierChoice = options.tiers ?? { name: 'longport', days: DEFAULT_PERCENTILE_DAYS };
  const tierQueries = new TierQueries({ flows: options.flows, store: options.store, queries, tierFlows });
  const distributionOf: DistributionSource = command25Distribution(options.flows, tierFlows, defaultChoice);
  const routes: { method: string; path: string }[] = [];
  const json = (method: string, path: string, handler: Parameters<HttpApi['json']>[2]): void => {
    api.json(method, path, handler);
    routes.push({ method, path });
  };

  json('GET', REST_PATHS.intraday, (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    return whenAdmitted(queries.admit(credential, FlowCommand.Intraday, params.get('symbol'), [params.get('date')]), (symbol) =>
      queries.intraday(symbol, params.get('date'), flag(params, 'detail')),
    );
  });
  json('GET', REST_PATHS.daily, (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    const convention = conventionOf(params, defaultChoice);
    return whenAdmitted(queries.admit(credential, FlowCommand.Intraday, params.get('symbol'), [params.get('from'), params.get('to')]), (symbol) =>
      convention
        ? dailyWithConvention(tierQueries, symbol, params.get('from'), params.get('to'), convention)
        : (queries.daily(symbol, params.get('from'), params.get('to')) as Promise<unknown>),
    );
  });
  json('GET', REST_PATHS.distribution, (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    const convention = conventionOf(params, defaultChoice);
    // Without `convention`: command 25's content (three tiers, the server's convention).
    return whenAdmitted(queries.admit(credential, FlowCommand.Distribution, params.get('symbol'), [params.get('date')]), (symbol) =>
      convention
        ? tierQueries.distribution(symbol, params.get('date'), convention)
        : (tierQueries.commandDistribution(symbol, params.get('date'), defaultChoice) as Promise<unknown>),
    );
  });
  json('GET', MINUTE_TRADES_PATH, minuteTradesRoute({ callers, queries, flows: options.flows, store: options.store }));
  json('GET', REST_PATHS.symbols, (context) => queries.symbols(callers.resolve(context)));
  registerTierRoutes(json, { callers, queries, tierQueries, flows: options.flows, rateLimiter: options.rateLimiter, distributionOf, defaultChoice });
  json('POST', REST_PATHS.streamToken, (context) => {
    const credential = callers.resolve(context);
    const issued = tokens.issue(credential.appKey, credentialGeneration(credential));
    return { token: issued.token, expiresAt: Math.floor(issued.expiresAt / 1000), ttlSeconds: Math.round(tokens.ttlMs / 1000) };
  });
  api.raw('GET', REST_PATHS.stream, async (context, response) => {
    const params = context.searchParams;
    const credential = callers.resolve(context, true);
    const admitted = queries.admit(credential, FlowCommand.Intraday, params.get('symbol'));
    const symbol = admitted instanceof Promise ? await admitted : admitted;
    await streams.open(response, credential, symbol, flag(params, 'detail'));
  });
  routes.push({ method: 'GET', path: REST_PATHS.stream });
  const document = openApiDocument(packageVersion());
  api.raw('GET', REST_PATHS.openapi, (_context, response) => sendJson(response, 200, document));
  routes.push({ method: 'GET', path: REST_PATHS.openapi });

  return { routes, streams, streamTokens: tokens, close: () => streams.closeAll() };
}
