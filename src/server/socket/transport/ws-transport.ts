import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../../model/errors.js';
import { CodecType, PlatformType, ProtocolVersion } from '../../../protocol/handshake.js';
import { BasePacketConnection, formatRemoteAddress, resolveTransportOptions } from './base-packet-connection.js';
import type { ResolvedTransportOptions } from './base-packet-connection.js';
import type { AdmissionTicket } from './connection-admission.js';
import type { ConnectionHandler, PacketTransport, PacketTransportOptions } from './packet-connection.js';

export interface WebSocketTransportOptions extends PacketTransportOptions {
  /** The HTTP server whose upgrades are taken over (on `path` only). */
  server: HttpServer;
  /** Default '/v2'. */
  path?: string;
  /** Interval of WebSocket pings; a connection that missed the previous one is terminated. Default 30 s. */
  pingIntervalMs?: number;
}

/** The query every official SDK appends; each value, when present, must match. */
const EXPECTED_QUERY: Readonly<Record<string, string>> = {
  version: String(ProtocolVersion.V1),
  codec: String(CodecType.Protobuf),
  platform: String(PlatformType.OpenAPI),
};

/** WebSocket close frame code sent after the close push (the SDK only logs it). */
function wsCloseCode(code: CloseCode): number {
  if (code === CloseCode.ServerShutdown) return 1001; // going away
  if (code === CloseCode.ServerError) return 1011; // internal error
  return 1000;
}

/** Truncates a close reason to the 123 bytes a close frame allows. */
function closeFrameReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '');
}

const BINARY = { binary: true } as const;

class WsPacketConnection extends BasePacketConnection {
  readonly transport = 'ws' as const;
  /** Answered the last ping. */
  alive = true;
  private graceTimer: NodeJS.Timeout | undefined;
  private latestPing: Buffer | undefined;
  private pongDue = false;

  constructor(
    private readonly socket: WebSocket,
    remoteAddress: string,
    handler: ConnectionHandler,
    options: ResolvedTransportOptions,
    ticket: AdmissionTicket,
  ) {
    super(remoteAddress, handler, options, ticket);
    socket.on('pong', () => {
      this.alive = true;
      this.countControlFrame();
    });
    // Pings are answered here, not by ws: one pong per turn for the latest ping (RFC 6455 allows
    // answering only the most recent), and a ping flood counts against the connection's share.
    socket.on('ping', (data: Buffer) => {
      this.latestPing = data;
      if (!this.pongDue) {
        this.pongDue = true;
        setImmediate(() => {
          this.pongDue = false;
          if (this.socket.readyState === this.socket.OPEN) this.socket.pong(this.latestPing);
        });
      }
      this.countControlFrame();
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        this.closeUnpack(new Error('text message'));
        return;
      }
      this.receivePacket(toBytes(data));
    });
    // Client protocol violations (e.g. a frame over maxPayload) end the socket; 'close' follows.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(this.graceTimer);
      this.markEnded();
    });
    this.markOpened();
  }

  ping(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  protected write(bytes: Uint8Array): void {
    // No callback: a send after close is dropped by ws, a socket error arrives as 'error' / 'close'.
    this.socket.send(bytes, BINARY);
  }

  protected bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  protected endGracefully(code: CloseCode, reason: string): void {
    this.socket.close(wsCloseCode(code), closeFrameReason(reason));
    this.graceTimer = setTimeout(() => this.socket.terminate(), this.options.closeGraceMs);
    this.graceTimer.unref();
  }

  protected abort(): void {
    this.socket.terminate();
  }

  protected pauseReading(): void {
    this.socket.pause();
  }

  protected resumeReading(): void {
    this.socket.resume();
  }

  /** Drops the socket without a close push (transport stop). */
  terminate(): void {
    this.socket.terminate();
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Packets over WebSocket, one binary message per packet, on an existing HTTP server. */
export class WebSocketTransport implements PacketTransport {
  private readonly options: ResolvedTransportOptions;
  private readonly server: HttpServer;
  private readonly path: string;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsPacketConnection>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(request, socket, head);
  private stopped = false;

  constructor(
    private readonly handler: ConnectionHandler,
    options: WebSocketTransportOptions,
  ) {
    this.options = resolveTransportOptions(options);
    this.server = options.server;
    this.path = options.path ?? '/v2';
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Oversized frames are refused by ws before they are buffered (close 1009).
      maxPayload: this.options.maxPacketBytes,
      perMessageDeflate: false,
      autoPong: false,
    });
    this.server.on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => {
      for (const conn of this.connections) conn.ping();
    }, options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async closeAll(code: CloseCode, reason: string): Promise<void> {
    const all = [...this.connections];
    for (const conn of all) conn.close(code, reason);
    await Promise.all(all.map((conn) => conn.closed));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pingTimer);
    this.server.off('upgrade', this.onUpgrade);
    const all = [...this.connections];
    for (const conn of all) conn.terminate();
    await Promise.all(all.map((conn) => conn.closed));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== this.path) {
      // Another upgrade listener may own this path; answer only when nobody else can.
      if (this.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found', 'unknown path');
      return;
    }
    if (this.stopped) {
      rejectUpgrade(socket, 503, 'Service Unavailable', 'server stopping');
      return;
    }
    for (const [name, expected] of Object.entries(EXPECTED_QUERY)) {
      const values = url.searchParams.getAll(name);
      if (values.some((value) => value !== expected)) {
        rejectUpgrade(socket, 400, 'Bad Request', `unsupported ${name} ${values.join(',')}; expected ${expected}`);
        return;
      }
    }
    const ticket = this.options.admission.admit(request.socket.remoteAddress, () => socket.destroy());
    if (ticket === 'address') {
      rejectUpgrade(socket, 429, 'Too Many Requests', 'too many unauthenticated connections from this address');
      return;
    }
    // Also when the upgrade fails (ws answers a bad handshake itself and never calls back).
    socket.once('close', () => ticket.release());
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const remote = formatRemoteAddress(request.socket.remoteAddress, request.socket.remotePort);
      const conn = new WsPacketConnection(ws, remote, this.handler, this.options, ticket);
      if (conn.isOpen) {
        this.connections.add(conn);
        void conn.closed.then(() => this.connections.delete(conn));
      }
    });
  }
}

function rejectUpgrade(socket: Duplex, status: number, statusText: string, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
