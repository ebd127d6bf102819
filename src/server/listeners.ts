import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloseCode } from '../model/errors.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionLedger } from '../store/gateway-state/connection-ledger.js';
import { withAccessLog } from './http/http-access-log.js';
import { DEFAULT_BODY_TIMEOUT_MS, type HttpApi } from './http/http-api.js';
import type { CapflowMetrics } from './metrics/capflow-metrics.js';
import { ConnectionAdmission, type AdmissionLimits } from './socket/transport/connection-admission.js';
import type { ConnectionHandler } from './socket/transport/packet-connection.js';
import { TcpTransport } from './socket/transport/tcp-transport.js';
import type { TransportClock } from './socket/transport/transport-clock.js';
import { WebSocketTransport } from './socket/transport/ws-transport.js';

/** Time a client has to send a request's headers, WebSocket upgrades included (slow-header floods). */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;

export interface ListenerOptions {
  host: string;
  /** HTTP + WebSocket port (0 = any free port). */
  port: number;
  /** TCP port (0 = any free port, null = no TCP listener). */
  tcpPort: number | null;
  api: HttpApi;
  /** The socket gateway, as both transports hand it connections. */
  connections: ConnectionHandler;
  /** Started once HTTP listens, before TCP; stopped last. */
  connectionLedger?: ConnectionLedger | undefined;
  metrics: CapflowMetrics;
  logger: Logger;
  pingIntervalMs?: number | undefined;
  tcpIdleTimeoutMs?: number | undefined;
  tcpHandshakeTimeoutMs?: number | undefined;
  deadlineClock?: TransportClock | undefined;
  unauthenticatedConnections?: AdmissionLimits | undefined;
  httpHeadersTimeoutMs?: number | undefined;
  httpBodyTimeoutMs?: number | undefined;
}

/** The server's listening sockets: HTTP with the WebSocket upgrade at `/v2`, and TCP. */
export interface Listeners {
  readonly httpPort: number;
  readonly tcpPort: number | undefined;
  /** Shutdown, first step: no new connections; open ones keep being served. */
  stopAccepting(): void;
  /** Shutdown, last step: every socket client gets the close push, then everything stops. */
  close(code: CloseCode, reason: string): Promise<void>;
}

/**
 * Listens on HTTP (and WebSocket) and TCP, then starts the fleet's connection ledger. A failed
 * start (a port taken, the ledger unreachable) undoes what was set up, so that nothing left
 * behind (timers, listeners, pools) keeps the process alive.
 */
export async function startListeners(options: ListenerOptions): Promise<Listeners> {
  const { host, metrics, logger } = options;
  const onError = (error: unknown): void => logger.error({ err: error }, 'connection handler failed');
  const accessLog = logger.child({ module: 'http-access' });
  const httpServer: Server = createServer(
    // A request (a WebSocket upgrade too) must have sent all its headers in time: trickling them
    // (slowloris) holds a socket for at most that long. Checked every second (Node: every 30 s).
    { headersTimeout: options.httpHeadersTimeoutMs ?? HTTP_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
    withAccessLog(options.api.listener, accessLog, metrics),
  );
  httpServer.on('checkContinue', withAccessLog(options.api.continueListener, accessLog, metrics));
  // Bodies have HttpApi's own limit, so Node's whole-request limit only backs it up.
  httpServer.requestTimeout = (options.httpBodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS) + 30_000;
  // One count of unauthenticated connections for both transports.
  const admission = new ConnectionAdmission(options.unauthenticatedConnections);
  const ws = new WebSocketTransport(options.connections, { server: httpServer, path: '/v2', pingIntervalMs: options.pingIntervalMs ?? 30_000, admission, onError });
  let ledgerStarted = false;
  let tcp: TcpTransport | undefined;
  const undo = async (): Promise<void> => {
    await ws.stop();
    await tcp?.stop();
    if (ledgerStarted) await options.connectionLedger?.stop();
    if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
  };
  try {
    await listenOn(httpServer, options.port, host, 'HTTP and WebSocket');
    await options.connectionLedger?.start();
    ledgerStarted = true;
    if (options.tcpPort !== null) {
      tcp = new TcpTransport(options.connections, {
        host,
        port: options.tcpPort,
        idleTimeoutMs: options.tcpIdleTimeoutMs ?? 120_000,
        ...(options.tcpHandshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.tcpHandshakeTimeoutMs }),
        ...(options.deadlineClock === undefined ? {} : { clock: options.deadlineClock }),
        admission,
        onError,
      });
      await tcp.listen().catch((error: unknown) => Promise.reject(listenError(error, host, options.tcpPort ?? 0, 'TCP')));
    }
  } catch (error) {
    await undo();
    throw error;
  }
  let httpClosed: Promise<unknown> | undefined;
  return {
    httpPort: (httpServer.address() as AddressInfo).port,
    tcpPort: tcp?.address.port,
    stopAccepting: () => {
      tcp?.stopAccepting();
      httpClosed = new Promise((resolve) => httpServer.close(resolve));
    },
    close: async (code, reason) => {
      await Promise.all([ws.closeAll(code, reason), tcp?.closeAll(code, reason)]);
      await Promise.all([ws.stop(), tcp?.stop()]);
      await options.connectionLedger?.stop();
      httpServer.closeAllConnections?.();
      await (httpClosed ?? new Promise((resolve) => httpServer.close(resolve)));
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
