import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { CloseCode } from '../../../model/errors.js';
import { StreamFramer } from '../../../protocol/stream-framer.js';
import { BasePacketConnection, formatRemoteAddress, resolveTransportOptions } from './base-packet-connection.js';
import type { ResolvedTransportOptions } from './base-packet-connection.js';
import type { AdmissionTicket } from './connection-admission.js';
import { IdleDeadline } from './idle-deadline.js';
import type { ConnectionHandler, PacketTransport, PacketTransportOptions } from './packet-connection.js';
import { SYSTEM_CLOCK, type TransportClock } from './transport-clock.js';

export interface TcpTransportOptions extends PacketTransportOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** 0 picks a free port (see `address` after listen()). Default 0. */
  port?: number;
  /**
   * A connection that has sent nothing for this long gets the HeartbeatTimeout close push
   * (or, before its handshake, is destroyed). Default 120 s.
   */
  idleTimeoutMs?: number;
  /** A connection whose 2-byte handshake has not arrived this long after connecting is destroyed. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** What the idle, handshake and close-grace deadlines are timed by (default the system clock; tests drive a manual one). */
  clock?: TransportClock;
}

class TcpPacketConnection extends BasePacketConnection {
  readonly transport = 'tcp' as const;
  private readonly framer: StreamFramer;
  private cancelGrace: (() => void) | undefined;
  private readonly idle: IdleDeadline;
  private readonly cancelHandshake: () => void;
  private handshakeDone = false;

  constructor(
    private readonly socket: Socket,
    handler: ConnectionHandler,
    options: ResolvedTransportOptions,
    timeouts: { idleMs: number; handshakeMs: number },
    private readonly clock: TransportClock,
    ticket: AdmissionTicket,
    private readonly onOpened: (conn: TcpPacketConnection) => void,
  ) {
    super(formatRemoteAddress(socket.remoteAddress, socket.remotePort), handler, options, ticket);
    // Until the peer authenticates, only small packets are buffered.
    this.framer = new StreamFramer({ handshake: true, maxPacketBytes: options.maxUnauthenticatedPacketBytes });
    socket.setNoDelay(true);
    // Idle means "received nothing": our own writes must not keep a silent peer alive,
    // which rules out socket.setTimeout (it counts both directions).
    this.idle = new IdleDeadline(timeouts.idleMs, () => this.onIdle(timeouts.idleMs), clock);
    // A trickled handshake must not hold the socket for the whole idle timeout.
    this.cancelHandshake = clock.schedule(() => {
      if (!this.handshakeDone) socket.destroy();
    }, timeouts.handshakeMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      this.idle.stop();
      this.cancelHandshake();
      this.cancelGrace?.();
      this.markEnded();
    });
  }

  /** Drops the socket without a close push (transport stop). */
  terminate(): void {
    this.socket.destroy();
  }

  protected write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  protected bufferedBytes(): number {
    return this.socket.writableLength;
  }

  protected endGracefully(): void {
    this.socket.end();
    this.cancelGrace = this.clock.schedule(() => this.socket.destroy(), this.options.closeGraceMs);
  }

  protected abort(): void {
    this.socket.destroy();
  }

  protected pauseReading(): void {
    this.socket.pause();
  }

  protected resumeReading(): void {
    this.socket.resume();
  }

  protected override onAuthenticated(): void {
    this.framer.setMaxPacketBytes(this.options.maxPacketBytes);
  }

  protected override corkedBatch(send: () => void): void {
    this.socket.cork();
    try {
      send();
    } finally {
      this.socket.uncork();
    }
  }

  private onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    this.idle.touch();
    const output = this.framer.feed(chunk);
    if (output.handshake) {
      this.handshakeDone = true;
      this.cancelHandshake();
      this.onOpened(this);
      this.markOpened();
    }
    // Several requests in one read: their synchronous answers leave in one write.
    if (output.frames.length > 1) {
      this.corkedBatch(() => {
        for (const frame of output.frames) this.receivePacket(frame);
      });
    } else if (output.frames.length === 1) {
      this.receivePacket(output.frames[0]!);
    }
    if (output.error) {
      // Before the handshake nothing is known about the peer's protocol: just hang up.
      if (!this.handshakeDone) this.socket.destroy();
      else this.closeUnpack(output.error);
    }
  }

  private onIdle(idleTimeoutMs: number): void {
    if (!this.isOpen) return;
    if (!this.handshakeDone) this.socket.destroy();
    else this.close(CloseCode.HeartbeatTimeout, `nothing received for ${idleTimeoutMs} ms`);
  }
}

/** Packets over a raw TCP stream: the 2-byte handshake, then framed packets. */
export class TcpTransport implements PacketTransport {
  private readonly options: ResolvedTransportOptions;
  private readonly server: Server;
  private readonly sockets = new Set<TcpPacketConnection>();
  private readonly connections = new Set<TcpPacketConnection>();
  private readonly host: string;
  private readonly port: number;

  constructor(
    private readonly handler: ConnectionHandler,
    private readonly transportOptions: TcpTransportOptions = {},
  ) {
    this.options = resolveTransportOptions(transportOptions);
    this.host = transportOptions.host ?? '127.0.0.1';
    this.port = transportOptions.port ?? 0;
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (error) => this.options.onError(error, undefined));
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        resolve(this.address);
      });
    });
  }

  /** The bound address; throws before listen() has completed. */
  get address(): AddressInfo {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('TcpTransport is not listening');
    return address;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async closeAll(code: CloseCode, reason: string): Promise<void> {
    const all = [...this.connections];
    for (const conn of all) conn.close(code, reason);
    await Promise.all(all.map((conn) => conn.closed));
  }

  /** Stops accepting new connections; open ones keep being served (graceful shutdown). */
  stopAccepting(): void {
    if (this.server.listening) this.server.close();
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
    const all = [...this.sockets];
    for (const conn of all) conn.terminate();
    await Promise.all([closed, ...all.map((conn) => conn.closed)]);
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined); // 'close' follows
    const ticket = this.options.admission.admit(socket.remoteAddress, () => socket.destroy());
    if (ticket === 'address') {
      // Its address holds all its unauthenticated places: nothing is known of the peer's protocol
      // yet, so it is hung up on without a word.
      socket.destroy();
      return;
    }
    const conn = new TcpPacketConnection(
      socket,
      this.handler,
      this.options,
      { idleMs: this.transportOptions.idleTimeoutMs ?? 120_000, handshakeMs: this.transportOptions.handshakeTimeoutMs ?? 10_000 },
      this.transportOptions.clock ?? SYSTEM_CLOCK,
      ticket,
      (opened) => this.connections.add(opened),
    );
    this.sockets.add(conn);
    void conn.closed.then(() => {
      this.sockets.delete(conn);
      this.connections.delete(conn);
    });
  }
}
