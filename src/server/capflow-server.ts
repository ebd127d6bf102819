import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '../model/errors.js';
import { ApiLimits } from '../contract/limits.js';
import { QuoteCommand } from '../protocol/control-command.js';
import type { FlowService } from '../service/flow-service.js';
import type { MarketClock } from '../service/market-clock.js';
import type { FlowStore, StoredTrade } from '../store/flow-store.js';
import { ContractRouter } from './http/contract-router.js';
import { registerIngestRoute } from './http/ingest-route.js';
import { registerSocketTokenRoutes } from './http/socket-token-routes.js';
import { CallerResolver } from './http/rest/rest-caller.js';
import { StreamTokenIssuer } from './http/rest/stream-tokens.js';
import { credentialGeneration, InMemoryCredentialRegistry, usableAt, type Credential, type CredentialRegistry } from './auth/credential.js';
import { HttpAuthenticator } from './auth/http-authenticator.js';
import { OtpIssuer, type OtpStore } from './auth/otp-issuer.js';
import { DEFAULT_BODY_TIMEOUT_MS, HttpApi } from './http/http-api.js';
import { registerWebRoutes } from './http/web/web-routes.js';
import { capitalDistributionHandler, capitalFlowHandler } from './socket/quote/capital-flow.js';
import type { CommandHandler } from './socket/quote/command-handler.js';
import { handleMarketTradeDay } from './socket/quote/market-trade-day.js';
import { marketTradePeriodHandler } from './socket/quote/market-trade-period.js';
import { handleUserQuoteProfile } from './socket/quote/user-quote-profile.js';
import { LiveFlowHub } from './socket/live/live-flow-hub.js';
import { subscribeCapitalFlowHandler, unsubscribeCapitalFlowHandler } from './socket/live/subscription-commands.js';
import { startTradeService, type TradeService } from './socket/trades/trade-service.js';
import { CapflowCommand } from '../protocol/capflow-command.js';
import { DEFAULT_PERCENTILE_DAYS, TierFlows, type TierChoice } from '../service/tier-flows.js';
import { command25Distribution } from './queries/command25-distribution.js';
import { batchCapitalFlowHandler } from './socket/quote/capital-flow-batch.js';
import { RateLimiter, type CommandRateLimiter } from './rate-limit/token-bucket.js';
import { registerRestApi, type RestApiOptions } from './http/rest/rest-api.js';
import { liveHubLineUpdates } from './http/rest/line-update-source.js';
import { InMemorySessionRegistry, type SessionRegistry } from './socket/session/session-registry.js';
import { SocketGateway } from './socket/session/socket-gateway.js';
import type { ConnectionLedger } from '../store/gateway-state/connection-ledger.js';
import { TcpTransport } from './socket/transport/tcp-transport.js';
import { WebSocketTransport } from './socket/transport/ws-transport.js';
import { ConnectionAdmission, type AdmissionLimits } from './socket/transport/connection-admission.js';
import { RankingsService } from '../service/rankings/rankings-service.js';
import { rankingsCommandHandler } from './socket/quote/rankings-command.js';
import { CapflowMetrics } from './metrics/capflow-metrics.js';
import { instrumentStore } from './metrics/instrumentation.js';
import { instrumentConnections } from './socket/session/instrumented-connections.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { withAccessLog } from './http/http-access-log.js';
import { registerOperationsRoutes, type ReadinessCheck } from './http/operations/operations-routes.js';
import { defaultReadiness } from './http/operations/default-readiness.js';
import type { InvalidationReason } from './auth/composite-credential-registry.js';

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
  rest?: Partial<Pick<RestApiOptions, 'heartbeatMs' | 'coalesceMs' | 'maxStreams' | 'maxStreamsPerCredential' | 'updates' | 'securities'> & { streamTokenTtlMs: number }>;
  log?: (message: string, error?: unknown) => void;
  /** Live subscriptions: at most one update per symbol per this many ms (default 100). */
  liveCoalesceMs?: number;
  /** Live subscriptions: how often the clock is checked for new minutes / a new day (default 1000 ms). */
  liveTickMs?: number;
  /** Trade subscriptions (command 6): trades in the first push of `is_first_push` (default 50). */
  firstPushTrades?: number;
  /** Prometheus metrics of this server (`/metrics`); a fresh registry when not given. */
  metrics?: CapflowMetrics;
  /** Structured logger for connection / request events (silent when not given). */
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

/** Time a client has to send a request's headers, WebSocket upgrades included (slow-header floods). */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;

/** Composes transports, session layer, command handlers and HTTP API over a flow service. */
export async function startCapflowServer(options: CapflowServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const metrics = options.metrics ?? new CapflowMetrics();
  const logger = options.logger ?? silentLogger();
  const store = instrumentStore(options.store, metrics);
  let accepting = true;
  const host = options.host ?? '127.0.0.1';
  const credentials = Array.isArray(options.credentials) ? new InMemoryCredentialRegistry(options.credentials) : options.credentials;
  const otps = options.otps ?? new OtpIssuer(options.otpTtlMs ?? 5 * 60_000);
  const sessions = options.sessions ?? new InMemorySessionRegistry(options.sessionTtlMs ?? 24 * 3_600_000);
  const live = new LiveFlowHub({
    flows: options.flows,
    clock: options.clock,
    log,
    ...(options.liveCoalesceMs === undefined ? {} : { coalesceMs: options.liveCoalesceMs }),
    ...(options.liveTickMs === undefined ? {} : { tickMs: options.liveTickMs }),
  });
  // Size-tier views shared by command 25, the batch command 210 and the REST API.
  const tierFlows = new TierFlows(options.flows, store);
  const distributionOf = command25Distribution(options.flows, tierFlows, options.tiers ?? { name: 'longport', days: DEFAULT_PERCENTILE_DAYS });
  const commands = new Map<number, CommandHandler>([
    [QuoteCommand.QueryUserQuoteProfile, handleUserQuoteProfile],
    [QuoteCommand.QueryMarketTradePeriod, marketTradePeriodHandler(options.clock)],
    [QuoteCommand.QueryMarketTradeDay, handleMarketTradeDay],
    [QuoteCommand.QueryCapitalFlowIntraday, capitalFlowHandler(options.flows)],
    [QuoteCommand.QueryCapitalFlowDistribution, capitalDistributionHandler(options.flows, distributionOf)],
    [CapflowCommand.SubscribeCapitalFlow, subscribeCapitalFlowHandler(live)],
    [CapflowCommand.UnsubscribeCapitalFlow, unsubscribeCapitalFlowHandler(live)],
  ]);
  // One limiter (shared by a fleet when given): REST calls share the per-credential buckets of
  // the commands they mirror.
  const rateLimiter = options.rateLimiter ?? new RateLimiter();
  commands.set(CapflowCommand.BatchCapitalFlow, batchCapitalFlowHandler(options.flows, rateLimiter, distributionOf));
  // Rankings kept current as trades arrive, shared by command 211 and the REST API.
  const rankings = new RankingsService({ flows: options.flows, store, tierFlows, ...(options.rest?.securities ? { directory: options.rest.securities } : {}), log });
  commands.set(CapflowCommand.QueryCapitalFlowRankings, rankingsCommandHandler(rankings, rateLimiter));
  const trades = startTradeService({
    flows: options.flows,
    store,
    rateLimiter,
    log,
    ...(options.firstPushTrades === undefined ? {} : { firstPushTrades: options.firstPushTrades }),
  });
  for (const [code, handler] of trades.commands) commands.set(code, handler);
  const gateway = new SocketGateway({
    credentials,
    otps,
    sessions,
    rateLimiter,
    commands,
    log,
    onConnectionClosed: (conn) => {
      live.connectionClosed(conn);
      trades.connectionClosed(conn);
    },
    onRequestDone: (command, status, code) => metrics.requestDone(command, status, code),
    onAuthFailure: (closeCode) => metrics.socketAuthFailed(closeCode),
    ...(options.authTimeoutMs === undefined ? {} : { authTimeoutMs: options.authTimeoutMs }),
    ...(options.connectionLedger === undefined ? {} : { connectionLedger: options.connectionLedger }),
  });
  const authenticator = new HttpAuthenticator({
    credentials,
    timestampWindowMs: options.timestampWindowMs ?? ApiLimits.timestampWindowSeconds * 1000,
    onFailure: (code) => metrics.httpAuthFailed(code),
  });
  // Credentials revoked, expired or rotated while the server runs lose their live connections
  // (sockets and SSE streams; the streams are registered with the REST API below).
  let closeStreamsOf: (appKey: string, keepGeneration: string | undefined) => number = () => 0;
  // The generation still valid after a change (a rotation's new one), or none (revoked, expired, removed).
  const currentGeneration = (appKey: string): string | undefined => {
    const current = credentials.byAppKey(appKey);
    return current && usableAt(current, Date.now()) ? credentialGeneration(current) : undefined;
  };
  const stopWatchingCredentials =
    'onInvalidated' in credentials && typeof credentials.onInvalidated === 'function'
      ? (credentials.onInvalidated as (listener: (appKey: string, reason: InvalidationReason) => void) => () => void)(
          (appKey, reason) => {
            const keep = currentGeneration(appKey);
            const closed = gateway.disconnectCredential(appKey, `credential ${reason}`, keep);
            const streams = closeStreamsOf(appKey, keep);
            metrics.credentialDisconnected(reason, closed);
            logger.info({ appKey, reason, connections: closed, streams }, 'credential no longer usable; its connections were closed');
          },
        )
      : () => undefined;
  const stopMeteringTrades = options.flows.onTrades((trades) => metrics.tradesAppliedBatch(trades));
  const api = new HttpApi({
    authenticator,
    maxBodyBytes: options.maxHttpBodyBytes ?? 64 * 1024 * 1024,
    ...(options.maxHttpBodyBytesInFlight === undefined ? {} : { maxBodyBytesInFlight: options.maxHttpBodyBytesInFlight }),
    ...(options.httpBodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.httpBodyTimeoutMs }),
    log,
  });
  // Every endpoint of the contract (src/contract/routes.ts) is served through one router: its
  // caller check, rate-limit bucket and query schema come from the route's definition.
  const streamTokens = new StreamTokenIssuer(options.rest?.streamTokenTtlMs);
  const callers = new CallerResolver({ credentials, tokens: streamTokens, publicCredential: options.publicCredential });
  const routes = new ContractRouter(api, { callers, rateLimiter });
  registerSocketTokenRoutes(routes, { otps, online: async (appKey) => gateway.fleetOnlineCount(appKey) });
  registerIngestRoute(routes, { store, flows: options.flows, metrics, onStored: options.onIngestStored, logger: logger.child({ module: 'ingest-route' }) });
  registerOperationsRoutes(routes, {
    metrics,
    readiness: { ...defaultReadiness(options.store), ...options.readiness },
    accepting: () => accepting,
  });
  const { streamTokenTtlMs: _ttl, ...restTuning } = options.rest ?? {};
  const rest = registerRestApi(routes, {
    flows: options.flows,
    store: options.store,
    rateLimiter,
    streamTokens,
    updates: liveHubLineUpdates(live, log),
    log,
    tierFlows,
    rankings,
    ...(options.tiers === undefined ? {} : { tiers: options.tiers }),
    ...restTuning,
  });
  const unbound = routes.unbound();
  if (unbound.length > 0) throw new Error(`contract routes without a handler: ${unbound.join(', ')}`);
  closeStreamsOf = (appKey, keepGeneration) => {
    // Stream tokens of an earlier generation are void already; forgetting them frees their memory.
    streamTokens.removeCredential(appKey, keepGeneration);
    return rest.streams.closeCredential(appKey);
  };
  registerWebRoutes(api, { publicMode: options.publicCredential !== undefined });

  const onError = (error: unknown): void => log('connection handler failed', error);
  const httpServer: Server = createServer(
    // A request (a WebSocket upgrade too) must have sent all its headers in time: trickling them
    // (slowloris) holds a socket for at most that long. Checked every second (Node: every 30 s).
    { headersTimeout: options.httpHeadersTimeoutMs ?? HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    withAccessLog(api.listener, logger, metrics),
  );
  httpServer.on('checkContinue', withAccessLog(api.continueListener, logger, metrics));
  // Bodies have HttpApi's own limit, so Node's whole-request limit only backs it up.
  httpServer.requestTimeout = (options.httpBodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS) + 30_000;
  const connections = instrumentConnections(gateway, metrics, logger);
  // One count of unauthenticated connections for both transports.
  const admission = new ConnectionAdmission(options.unauthenticatedConnections);
  const ws = new WebSocketTransport(connections, {
    server: httpServer,
    path: '/v2',
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    admission,
    onError,
  });
  // A failed start (a port taken, the fleet's ledger unreachable) undoes what was set up, so that
  // nothing left behind (timers, listeners, pools) keeps the process alive.
  let ledgerStarted = false;
  let tcp: TcpTransport | undefined;
  const abandonStart = async (error: unknown): Promise<never> => {
    stopWatchingCredentials();
    stopMeteringTrades();
    rest?.close();
    rankings.close();
    live.stop();
    trades.stop();
    await ws.stop();
    await tcp?.stop();
    if (ledgerStarted) await options.connectionLedger?.stop();
    if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
    throw error;
  };
  try {
    await listenOn(httpServer, options.port ?? 8080, host, 'HTTP and WebSocket');
  } catch (error) {
    return abandonStart(error);
  }
  const httpPort = (httpServer.address() as AddressInfo).port;
  try {
    await options.connectionLedger?.start();
    ledgerStarted = true;
  } catch (error) {
    return abandonStart(error);
  }

  if (options.tcpPort !== null) {
    tcp = new TcpTransport(connections, {
      host,
      port: options.tcpPort ?? 0,
      idleTimeoutMs: options.tcpIdleTimeoutMs ?? 120_000,
      ...(options.tcpHandshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.tcpHandshakeTimeoutMs }),
      admission,
      onError,
    });
    try {
      await tcp.listen();
    } catch (error) {
      return abandonStart(listenError(error, host, options.tcpPort ?? 0, 'TCP'));
    }
  }
  options.flows.start();

  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    tcpPort: tcp?.address.port,
    host,
    gateway,
    live,
    trades,
    metrics,
    stop: () => {
      stopping ??= (async () => {
        accepting = false;
        metrics.shuttingDown();
        // Stop accepting first; open connections keep being served while in-flight requests finish.
        tcp?.stopAccepting();
        const httpClosed = new Promise((resolve) => httpServer.close(resolve));
        const drained = await gateway.drain(options.shutdownGraceMs ?? 5_000);
        if (!drained) logger.warn({ inFlight: gateway.inFlight }, 'shutdown: requests still in flight after the grace period');
        stopWatchingCredentials();
        stopMeteringTrades();
        options.flows.stop();
        rest.close();
        rankings.close();
        live.stop();
        trades.stop();
        await Promise.all([
          ws.closeAll(CloseCode.ServerShutdown, 'server shutting down'),
          tcp?.closeAll(CloseCode.ServerShutdown, 'server shutting down'),
        ]);
        await Promise.all([ws.stop(), tcp?.stop()]);
        await options.connectionLedger?.stop();
        httpServer.closeAllConnections?.();
        await httpClosed;
      })();
      return stopping;
    },
  };
}

/** Listens, turning a failure into an error that names the address and what it was for. */
function listenOn(server: Server, port: number, host: string, purpose: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(listenError(error, host, port, purpose));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function listenError(error: unknown, host: string, port: number, purpose: string): Error {
  const code = (error as { code?: unknown }).code;
  const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'the address is not available on this machine' : (error as Error).message;
  return Object.assign(new Error(`cannot listen on ${host}:${port} for ${purpose}: ${why}`), { code, cause: error });
}
