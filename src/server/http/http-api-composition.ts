import type { Logger } from '../../logging/logger.js';
import { ApiLimits } from '../../contract/limits.js';
import type { FlowService } from '../../service/flow-service.js';
import type { RankingsService } from '../../service/rankings/rankings-service.js';
import type { TierChoice, TierFlows } from '../../service/tier-flows.js';
import type { FlowStore, StoredTrade } from '../../store/flow-store.js';
import type { OtpStore } from '../../store/gateway-state/gateway-state.js';
import { HttpAuthenticator } from '../auth/http-authenticator.js';
import type { CredentialRegistry } from '../auth/credential.js';
import { defined } from '../config/defined.js';
import type { CapflowMetrics } from '../metrics/capflow-metrics.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import { ContractRouter } from './contract-router.js';
import { HttpApi } from './http-api.js';
import { registerIngestRoute } from './ingest-route.js';
import { registerMcpEndpoint } from './mcp-endpoint.js';
import { packageVersion } from './package-version.js';
import { defaultReadiness } from './operations/default-readiness.js';
import { registerOperationsRoutes, type ReadinessCheck } from './operations/operations-routes.js';
import type { LineUpdateSource } from './rest/line-update-source.js';
import { CallerResolver } from './rest/rest-caller.js';
import { registerRestApi, type RestApiOptions } from './rest/rest-api.js';
import { StreamTokenIssuer } from './rest/stream-tokens.js';
import { registerSocketTokenRoutes } from './socket-token-routes.js';
import { registerWebRoutes } from './web/web-routes.js';

/** REST/SSE tuning: stream heartbeat, update coalescing, stream caps, the stream-token lifetime, names and sectors. */
export type RestTuning = Partial<Pick<RestApiOptions, 'heartbeatMs' | 'coalesceMs' | 'maxStreams' | 'maxStreamsPerCredential' | 'updates' | 'securities'> & { streamTokenTtlMs: number }>;

export interface HttpSideOptions {
  flows: FlowService;
  store: FlowStore;
  credentials: CredentialRegistry;
  otps: OtpStore;
  rateLimiter: CommandRateLimiter;
  tierFlows: TierFlows;
  tiers?: TierChoice | undefined;
  /** The rankings kept current as trades arrive (shared with socket command 211). */
  rankings: RankingsService;
  metrics: CapflowMetrics;
  logger: Logger;
  /** The credential's socket connections open now, across the fleet (the socket token's `online`). */
  online: (appKey: string) => Promise<number>;
  /** Live line changes for the stream (the socket side's live hub). */
  lineUpdates: LineUpdateSource;
  /** False once shutdown began (`/readyz`). */
  accepting: () => boolean;
  readiness?: Record<string, ReadinessCheck> | undefined;
  onIngestStored?: ((stored: readonly StoredTrade[]) => void) | undefined;
  publicCredential?: string | undefined;
  timestampWindowMs?: number | undefined;
  maxBodyBytes?: number | undefined;
  maxBodyBytesInFlight?: number | undefined;
  bodyTimeoutMs?: number | undefined;
  rest?: RestTuning | undefined;
}

/** The HTTP API with every route of the contract, and what a credential change must reach. */
export interface HttpSide {
  readonly api: HttpApi;
  /** Ends the credential's live streams and forgets its stream tokens of other generations; the streams closed. */
  closeCredential(appKey: string, keepGeneration: string | undefined): number;
  /** Ends every live stream (before the HTTP server closes). */
  close(): void;
}

/**
 * Composes the HTTP side: every endpoint of the contract (src/contract/routes.ts) served through
 * one router — REST and its live stream, the socket tokens, ingest, operations — then the MCP
 * endpoint and the web page.
 */
export function composeHttpSide(options: HttpSideOptions): HttpSide {
  const { metrics, logger, credentials } = options;
  const authenticator = new HttpAuthenticator({
    credentials,
    timestampWindowMs: options.timestampWindowMs ?? ApiLimits.timestampWindowSeconds * 1000,
    onFailure: (code) => metrics.httpAuthFailed(code),
  });
  const api = new HttpApi({
    authenticator,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
    logger: logger.child({ module: 'http-api' }),
    ...defined({ maxBodyBytesInFlight: options.maxBodyBytesInFlight, bodyTimeoutMs: options.bodyTimeoutMs }),
  });
  const { streamTokenTtlMs, ...restTuning } = options.rest ?? {};
  const streamTokens = new StreamTokenIssuer(streamTokenTtlMs);
  const callers = new CallerResolver({ credentials, tokens: streamTokens, publicCredential: options.publicCredential });
  const routes = new ContractRouter(api, { callers, rateLimiter: options.rateLimiter });
  registerSocketTokenRoutes(routes, { otps: options.otps, online: options.online });
  registerIngestRoute(routes, { store: options.store, flows: options.flows, metrics, onStored: options.onIngestStored, logger: logger.child({ module: 'ingest-route' }) });
  registerOperationsRoutes(routes, { metrics, readiness: { ...defaultReadiness(options.store), ...options.readiness }, accepting: options.accepting });
  const rest = registerRestApi(routes, {
    flows: options.flows,
    store: options.store,
    rateLimiter: options.rateLimiter,
    streamTokens,
    updates: options.lineUpdates,
    logger: logger.child({ module: 'rest' }),
    tierFlows: options.tierFlows,
    rankings: options.rankings,
    ...defined({ tiers: options.tiers }),
    ...restTuning,
  });
  const unbound = routes.unbound();
  if (unbound.length > 0) throw new Error(`contract routes without a handler: ${unbound.join(', ')}`);
  registerMcpEndpoint(api, { credentials, version: packageVersion() });
  registerWebRoutes(api, { publicMode: options.publicCredential !== undefined });
  return {
    api,
    closeCredential: (appKey, keepGeneration) => {
      // Stream tokens of an earlier generation are void already; forgetting them frees their memory.
      streamTokens.removeCredential(appKey, keepGeneration);
      return rest.streams.closeCredential(appKey);
    },
    close: () => rest.close(),
  };
}
