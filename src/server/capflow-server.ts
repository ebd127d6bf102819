import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import { CloseCode } from '../model/errors.js';
import type { FlowService } from '../service/flow-service.js';
import type { MarketClock } from '../service/market-clock.js';
import { RankingsService } from '../service/rankings/rankings-service.js';
import { DEFAULT_PERCENTILE_DAYS, TierFlows, type TierChoice } from '../service/tier-flows.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';
import type { ConnectionLedger } from '../store/gateway-state/connection-ledger.js';
import type { InvalidationReason } from './auth/composite-credential-registry.js';
import { credentialGeneration, InMemoryCredentialRegistry, usableAt, type Credential, type CredentialRegistry } from './auth/credential.js';
import { OtpIssuer, type OtpStore } from './auth/otp-issuer.js';
import { composeHttpSide, type HttpSide, type RestTuning } from './http/http-api-composition.js';
import type { ReadinessCheck } from './http/operations/operations-routes.js';
import { liveHubLineUpdates } from './http/rest/line-update-source.js';
import { startListeners, type Listeners } from './listeners.js';
import { CapflowMetrics } from './metrics/capflow-metrics.js';
import { instrumentStore } from './metrics/instrumentation.js';
import { command25Distribution } from './queries/command25-distribution.js';
import { RateLimiter, type CommandRateLimiter } from './rate-limit/token-bucket.js';
import { composeSocketSide, type SocketSide } from './socket/socket-gateway-composition.js';
import type { LiveFlowHub } from './socket/live/live-flow-hub.js';
import { instrumentConnections } from './socket/session/instrumented-connections.js';
import { InMemorySessionRegistry, type SessionRegistry } from './socket/session/session-registry.js';
import type { SocketGateway } from './socket/session/socket-gateway.js';
import type { TradeService } from './socket/trades/trade-service.js';
import type { AdmissionLimits } from './socket/transport/connection-admission.js';
import type { TransportClock } from './socket/transport/transport-clock.js';

export { HTTP_HEADERS_TIMEOUT_MS } from './listeners.js';

export interface CapflowServerOptions {
  store: FlowStore;
  flows: FlowService;
  clock: MarketClock;
  credentials: Credential[] | CredentialRegistry;
  host?: string;
  /** HTTP + WebSocket port (0 = any free port). */
  port?: number;
  /** TCP port (0 = any free port, null = no TCP listener). */
  tcpPort?: number | null;
  /** One-time password lifetime (default 5 minutes). */
  otpTtlMs?: number;
  /** Session lifetime from auth (default 24 h). */
  sessionTtlMs?: number;
  /**
   * State shared by a fleet of gateways (e.g. `postgresGatewayState`): one-time passwords,
   * sessions and socket rate limits. Each defaults to this process's memory.
   */
  otps?: OtpStore;
  sessions?: SessionRegistry;
  /** Shared by socket commands and the REST calls that mirror them. */
  rateLimiter?: CommandRateLimiter;
  /**
   * Fleet-wide count of each credential's connections and closing of a session's old connection
   * on another gateway; started and stopped with the server. Without it, counted per gateway.
   */
  connectionLedger?: ConnectionLedger;
  /** Told of the trades `POST /v1/ingest` stored, after their commit (a fleet announces them). */
  onIngestStored?: (stored: readonly StoredTrade[]) => void;
  /** Accepted X-Timestamp distance from the wall clock (default ±300 s). */
  timestampWindowMs?: number;
  /** WebSocket ping interval (default 30 s, well inside the SDK's 120 s). */
  pingIntervalMs?: number;
  /** TCP connections silent this long are closed with HeartbeatTimeout (default 120 s). */
  tcpIdleTimeoutMs?: number;
  /** Connections that do not authenticate within this time are closed (default 30 s). */
  authTimeoutMs?: number;
  /** What the auth and TCP idle / handshake deadlines are timed by (default the system clock; tests drive a manual one). */
  deadlineClock?: TransportClock;
  /**
   * Caps on socket connections that have not authenticated yet, WebSocket and TCP together:
   * beyond them a new connection is refused at once (default 1,024 in all, 64 per address).
   */
  unauthenticatedConnections?: AdmissionLimits;
  /** A TCP connection whose handshake has not arrived within this time is dropped (default 10 s). */
  tcpHandshakeTimeoutMs?: number;
  /** Time a client has to send an HTTP request's headers, WebSocket upgrades included (default 10 s). */
  httpHeadersTimeoutMs?: number;
  /** Largest HTTP request body, e.g. an NDJSON ingest (default 64 MiB). */
  maxHttpBodyBytes?: number;
  /** HTTP request bodies held at once across all requests (default 256 MiB); beyond it 503 / 503001. */
  maxHttpBodyBytesInFlight?: number;
  /** Time an authenticated HTTP request has to deliver its body (default 120 s); beyond it 408 / 408001. */
  httpBodyTimeoutMs?: number;
  /** App key that unauthenticated REST/SSE requests act as (`serve --web-credential`, a public dashboard). */
  publicCredential?: string;
  /** REST/SSE tuning (stream heartbeat, update coalescing, stream caps, token lifetime, update source). */
  rest?: RestTuning;
  /** Live subscriptions: at most one update per symbol per this many ms (default 100). */
  liveCoalesceMs?: number;
  /** Live subscriptions: how often the clock is checked for new minutes / a new day (default 1000 ms). */
  liveTickMs?: number;
  /** Trade subscriptions (command 6): trades in the first push of `is_first_push` (default 50). */
  firstPushTrades?: number;
  /** Prometheus metrics of this server (`/metrics`); a fresh registry when not given. */
  metrics?: CapflowMetrics;
  /** Structured logs; each part logs through its own child (`module`). Silent when not given. */
  logger?: Logger;
  /** Extra `/readyz` conditions besides the store and the calendars (e.g. `bus`). */
  readiness?: Record<string, ReadinessCheck>;
  /** On stop, how long in-flight requests get to be answered before the close push (default 5 s). */
  shutdownGraceMs?: number;
  /**
   * Size-tier convention of command 25 and the REST default (`tiers` in the config): `longport`
   * (default), `eastmoney` or `futu` (`days`: trailing stored days of the futu percentiles).
   * Command 25 keeps three tiers: a four-tier convention's super-large is folded into large.
   */
  tiers?: TierChoice;
}

export interface RunningServer {
  readonly httpPort: number;
  readonly tcpPort: number | undefined;
  readonly host: string;
  readonly gateway: SocketGateway;
  /** Live capital-flow subscriptions (socket commands 200–202; in-process `subscribe` for the web). */
  readonly live: LiveFlowHub;
  /** The trade tape and trade subscriptions (commands 5, 6, 7, 17, 220; push 104). */
  readonly trades: TradeService;
  readonly metrics: CapflowMetrics;
  /**
   * Graceful stop: stops accepting, answers in-flight requests (up to shutdownGraceMs), sends every
   * client the ServerShutdown close push, stops listening and stops the service.
   */
  stop(): Promise<void>;
}

/**
 * The server: the socket gateway and the HTTP API over one flow service, sharing credentials,
 * rate limits, size-tier views and metrics, behind the listeners; a credential that stops being
 * usable loses its connections on both sides.
 */
export async function startCapflowServer(options: CapflowServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? silentLogger();
  const metrics = options.metrics ?? new CapflowMetrics();
  const store = instrumentStore(options.store, metrics);
  const credentials = Array.isArray(options.credentials) ? new InMemoryCredentialRegistry(options.credentials) : options.credentials;
  const otps = options.otps ?? new OtpIssuer(options.otpTtlMs ?? 5 * 60_000);
  // One limiter (shared by a fleet when given): HTTP routes share the buckets of the commands they mirror.
  const rateLimiter = options.rateLimiter ?? new RateLimiter();
  // Size-tier views shared by command 25, the batch command 210 and the REST API.
  const tierFlows = new TierFlows(options.flows, store);
  // Rankings kept current as trades arrive, shared by command 211 and the REST API.
  const rankings = new RankingsService({
    flows: options.flows,
    store,
    tierFlows,
    logger: logger.child({ module: 'rankings' }),
    ...(options.rest?.securities ? { directory: options.rest.securities } : {}),
  });
  let accepting = true;

  const socket = composeSocketSide({
    flows: options.flows,
    clock: options.clock,
    store,
    credentials,
    otps,
    sessions: options.sessions ?? new InMemorySessionRegistry(options.sessionTtlMs ?? 24 * 3_600_000),
    rateLimiter,
    distributionOf: command25Distribution(options.flows, tierFlows, options.tiers ?? { name: 'longport', days: DEFAULT_PERCENTILE_DAYS }),
    rankings,
    metrics,
    logger,
    connectionLedger: options.connectionLedger,
    authTimeoutMs: options.authTimeoutMs,
    deadlineClock: options.deadlineClock,
    liveCoalesceMs: options.liveCoalesceMs,
    liveTickMs: options.liveTickMs,
    firstPushTrades: options.firstPushTrades,
  });
  const http = composeHttpSide({
    flows: options.flows,
    store,
    credentials,
    otps,
    rateLimiter,
    tierFlows,
    tiers: options.tiers,
    rankings,
    metrics,
    logger,
    online: async (appKey) => socket.gateway.fleetOnlineCount(appKey),
    lineUpdates: liveHubLineUpdates(socket.live, logger.child({ module: 'rest' })),
    accepting: () => accepting,
    readiness: options.readiness,
    onIngestStored: options.onIngestStored,
    publicCredential: options.publicCredential,
    timestampWindowMs: options.timestampWindowMs,
    maxBodyBytes: options.maxHttpBodyBytes,
    maxBodyBytesInFlight: options.maxHttpBodyBytesInFlight,
    bodyTimeoutMs: options.httpBodyTimeoutMs,
    rest: options.rest,
  });
  const stopWatchingCredentials = closeWhenUnusable(credentials, socket, http, metrics, logger.child({ module: 'credentials' }));
  const stopMeteringTrades = options.flows.onTrades((trades) => metrics.tradesAppliedBatch(trades));
  const stopParts = (): void => {
    stopWatchingCredentials();
    stopMeteringTrades();
    http.close();
    rankings.close();
    socket.stop();
  };

  let listeners: Listeners;
  try {
    listeners = await startListeners({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8080,
      tcpPort: options.tcpPort === null ? null : (options.tcpPort ?? 0),
      api: http.api,
      connections: instrumentConnections(socket.gateway, metrics, logger.child({ module: 'connections' })),
      connectionLedger: options.connectionLedger,
      metrics,
      logger,
      pingIntervalMs: options.pingIntervalMs,
      tcpIdleTimeoutMs: options.tcpIdleTimeoutMs,
      tcpHandshakeTimeoutMs: options.tcpHandshakeTimeoutMs,
      deadlineClock: options.deadlineClock,
      unauthenticatedConnections: options.unauthenticatedConnections,
      httpHeadersTimeoutMs: options.httpHeadersTimeoutMs,
      httpBodyTimeoutMs: options.httpBodyTimeoutMs,
    });
  } catch (error) {
    stopParts();
    throw error;
  }
  options.flows.start();

  /** Stop accepting, let in-flight requests finish (up to the grace), then close every connection. */
  const shutdown = async (): Promise<void> => {
    accepting = false;
    metrics.shuttingDown();
    listeners.stopAccepting();
    const drained = await socket.gateway.drain(options.shutdownGraceMs ?? 5_000);
    if (!drained) logger.warn({ inFlight: socket.gateway.inFlight }, 'shutdown: requests still in flight after the grace period');
    options.flows.stop();
    stopParts();
    await listeners.close(CloseCode.ServerShutdown, 'server shutting down');
  };
  let stopping: Promise<void> | undefined;
  return {
    httpPort: listeners.httpPort,
    tcpPort: listeners.tcpPort,
    host: options.host ?? '127.0.0.1',
    gateway: socket.gateway,
    live: socket.live,
    trades: socket.trades,
    metrics,
    stop: () => (stopping ??= shutdown()),
  };
}

/**
 * Credentials revoked, expired or rotated while the server runs lose their live connections:
 * sockets and SSE streams (those of a rotated credential's new generation stay). Returns the
 * unsubscribe; registries that never change (a fixed list) need no watching.
 */
function closeWhenUnusable(credentials: CredentialRegistry, socket: SocketSide, http: HttpSide, metrics: CapflowMetrics, logger: Logger): () => void {
  if (!('onInvalidated' in credentials) || typeof credentials.onInvalidated !== 'function') return () => undefined;
  // The generation still valid after a change (a rotation's new one), or none (revoked, expired, removed).
  const currentGeneration = (appKey: string): string | undefined => {
    const current = credentials.byAppKey(appKey);
    return current && usableAt(current, Date.now()) ? credentialGeneration(current) : undefined;
  };
  const watch = credentials.onInvalidated as (listener: (appKey: string, reason: InvalidationReason) => void) => () => void;
  return watch.call(credentials, (appKey, reason) => {
    const keep = currentGeneration(appKey);
    const closed = socket.gateway.disconnectCredential(appKey, `credential ${reason}`, keep);
    const streams = http.closeCredential(appKey, keep);
    metrics.credentialDisconnected(reason, closed);
    logger.info({ appKey, reason, connections: closed, streams }, 'credential no longer usable; its connections were closed');
  });
}
