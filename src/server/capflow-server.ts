import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode, HttpErrorCode, httpError } from '../model/errors.js';
import type { FlowService } from '../service/flow-service.js';
import type { MarketClock } from '../service/market-clock.js';
import type { FlowStore } from '../store/flow-store.js';
import { ingestNdjsonBody } from '../ingest/index.js';
import { InMemoryCredentialRegistry, type Credential, type CredentialRegistry } from './auth/credential.js';
import { HttpAuthenticator } from './auth/http-authenticator.js';
import { OtpIssuer } from './auth/otp-issuer.js';
import { HttpApi } from './http/http-api.js';
import { renderHomePage } from './http/home-page.js';
import { capitalDistributionHandler, capitalFlowHandler } from './quote/capital-flow.js';
import type { CommandHandler } from './quote/command-handler.js';
import { handleMarketTradeDay } from './quote/market-trade-day.js';
import { marketTradePeriodHandler } from './quote/market-trade-period.js';
import { handleUserQuoteProfile } from './quote/user-quote-profile.js';
import { RateLimiter } from './rate-limit/token-bucket.js';
import { InMemorySessionRegistry } from './session/session-registry.js';
import { SocketGateway } from './session/socket-gateway.js';
import { TcpTransport } from './transport/tcp-transport.js';
import { WebSocketTransport } from './transport/ws-transport.js';

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
  /** Accepted X-Timestamp distance from the wall clock (default ±300 s). */
  timestampWindowMs?: number;
  /** WebSocket ping interval (default 30 s, well inside the SDK's 120 s). */
  pingIntervalMs?: number;
  /** TCP connections silent this long are closed with HeartbeatTimeout (default 120 s). */
  tcpIdleTimeoutMs?: number;
  /** Connections that do not authenticate within this time are closed (default 30 s). */
  authTimeoutMs?: number;
  /** Largest HTTP request body, e.g. an NDJSON ingest (default 64 MiB). */
  maxHttpBodyBytes?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface RunningServer {
  readonly httpPort: number;
  readonly tcpPort: number | undefined;
  readonly host: string;
  readonly gateway: SocketGateway;
  /** Sends every client the ServerShutdown close push, stops listening and stops the service. */
  stop(): Promise<void>;
}

/** Composes transports, session layer, command handlers and HTTP API over a flow service. */
export async function startCapflowServer(options: CapflowServerOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const credentials = Array.isArray(options.credentials) ? new InMemoryCredentialRegistry(options.credentials) : options.credentials;
  const otps = new OtpIssuer(options.otpTtlMs ?? 5 * 60_000);
  const sessions = new InMemorySessionRegistry(options.sessionTtlMs ?? 24 * 3_600_000);
  const commands = new Map<number, CommandHandler>([
    [4, handleUserQuoteProfile],
    [8, marketTradePeriodHandler(options.clock)],
    [9, handleMarketTradeDay],
    [24, capitalFlowHandler(options.flows)],
    [25, capitalDistributionHandler(options.flows)],
  ]);
  const gateway = new SocketGateway({
    credentials,
    otps,
    sessions,
    rateLimiter: new RateLimiter(),
    commands,
    log,
    ...(options.authTimeoutMs === undefined ? {} : { authTimeoutMs: options.authTimeoutMs }),
  });
  const authenticator = new HttpAuthenticator({ credentials, timestampWindowMs: options.timestampWindowMs ?? 300_000 });
  const api = new HttpApi({ authenticator, maxBodyBytes: options.maxHttpBodyBytes ?? 64 * 1024 * 1024, log });

  api.json('GET', '/v1/socket/token', (context) => {
    const credential = context.authenticate();
    return { otp: otps.issue(credential.appKey), limit: credential.connections, online: gateway.onlineCount(credential.appKey) };
  });
  api.json('POST', '/v1/ingest', async (context) => {
    const credential = context.authenticate();
    if (!credential.ingest) throw httpError(403, HttpErrorCode.CredentialExpired, 'this credential may not ingest trades');
    // An Idempotency-Key makes a retried body resume from what was committed, never double count.
    const key = context.request.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(key) ? key[0] : key;
    const summary = await ingestNdjsonBody(
      options.store,
      context.body,
      idempotencyKey ? { sourceId: `http:${credential.appKey}:${idempotencyKey}` } : {},
    );
    await options.flows.poll();
    return summary;
  });
  api.json('GET', '/healthz', () => ({ status: 'ok' }));
  api.raw('GET', '/', (_context, response) => {
    const html = renderHomePage();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    response.end(html);
  });

  const onError = (error: unknown): void => log('connection handler failed', error);
  const httpServer: Server = createServer(api.listener);
  const ws = new WebSocketTransport(gateway, {
    server: httpServer,
    path: '/v2',
    pingIntervalMs: options.pingIntervalMs ?? 30_000,
    onError,
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 8080, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const httpPort = (httpServer.address() as AddressInfo).port;

  let tcp: TcpTransport | undefined;
  if (options.tcpPort !== null) {
    tcp = new TcpTransport(gateway, { host, port: options.tcpPort ?? 0, idleTimeoutMs: options.tcpIdleTimeoutMs ?? 120_000, onError });
    try {
      await tcp.listen();
    } catch (error) {
      await ws.stop();
      await new Promise((resolve) => httpServer.close(resolve));
      throw error;
    }
  }
  options.flows.start();

  let stopping: Promise<void> | undefined;
  return {
    httpPort,
    tcpPort: tcp?.address.port,
    host,
    gateway,
    stop: () => {
      stopping ??= (async () => {
        options.flows.stop();
        await Promise.all([
          ws.closeAll(CloseCode.ServerShutdown, 'server shutting down'),
          tcp?.closeAll(CloseCode.ServerShutdown, 'server shutting down'),
        ]);
        await Promise.all([ws.stop(), tcp?.stop()]);
        httpServer.closeAllConnections?.();
        await new Promise((resolve) => httpServer.close(resolve));
      })();
      return stopping;
    },
  };
}
