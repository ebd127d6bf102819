import { CloseCode } from '../../../model/errors.js';
import { encodeBody } from '../../../protocol/body-codec.js';
import { CloseSchema } from '../../../protocol/gen/control_pb.js';
import { isControlRequest } from '../../../protocol/control-command.js';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';
import { PacketType } from '../../../protocol/packet.js';
import type { Packet } from '../../../protocol/packet.js';
import { announcedPacketLength, decodePacket, encodePacket, type DecodeOptions } from '../../../protocol/packet-codec.js';
import { DecodeFailure, PacketDecodeError } from '../../../protocol/packet-decode-error.js';
import { ConnectionAdmission, type AdmissionTicket } from './connection-admission.js';
import type { ConnectionHandler, PacketConnection, PacketTransportOptions } from './packet-connection.js';
import { encodePlainResponse } from './response-encoding.js';
import { responseTemplate, type ResponseTemplate } from './shared-response-body.js';

/** Command code of the close push. */
export const CLOSE_CMD = 0;

/** Server defaults of the incoming-packet limits (see PacketTransportOptions). */
export const SERVER_PACKET_LIMITS = {
  maxPacketBytes: 64 * 1024,
  maxUnauthenticatedPacketBytes: 16 * 1024,
  maxInflatedBytes: 64 * 1024,
  maxControlBodyBytes: 4 * 1024,
} as const;

/**
 * Requests one connection has handled in one event-loop turn before the rest wait for the next
 * turn (its reading paused meanwhile): a client sending packets as fast as it can gets its share
 * of the loop, never the whole of it.
 */
export const PACKETS_PER_TURN = 64;

export interface ResolvedTransportOptions {
  maxPacketBytes: number;
  maxUnauthenticatedPacketBytes: number;
  maxInflatedBytes: number;
  maxControlBodyBytes: number;
  admission: ConnectionAdmission;
  gzipThresholdBytes: number;
  maxBufferedBytes: number;
  closeGraceMs: number;
  onError: (error: unknown, conn: PacketConnection | undefined) => void;
}

export function resolveTransportOptions(options: PacketTransportOptions): ResolvedTransportOptions {
  const maxPacketBytes = options.maxPacketBytes ?? SERVER_PACKET_LIMITS.maxPacketBytes;
  return {
    maxPacketBytes,
    maxUnauthenticatedPacketBytes: Math.min(maxPacketBytes, options.maxUnauthenticatedPacketBytes ?? SERVER_PACKET_LIMITS.maxUnauthenticatedPacketBytes),
    maxInflatedBytes: options.maxInflatedBytes ?? SERVER_PACKET_LIMITS.maxInflatedBytes,
    maxControlBodyBytes: options.maxControlBodyBytes ?? SERVER_PACKET_LIMITS.maxControlBodyBytes,
    admission: options.admission ?? new ConnectionAdmission(),
    gzipThresholdBytes: options.gzipThresholdBytes ?? 8 * 1024,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    closeGraceMs: options.closeGraceMs ?? 5_000,
    onError: options.onError ?? ((error) => console.error('capflow transport:', error)),
  };
}

let lastConnectionId = 0;

/** Event-loop turns, counted only while packets arrive (one setImmediate per busy turn, for all connections). */
let currentTurn = 0;
let turnEnding = false;
function thisTurn(): number {
  if (!turnEnding) {
    turnEnding = true;
    setImmediate(() => {
      turnEnding = false;
      currentTurn++;
    });
  }
  return currentTurn;
}

function isRequestId(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff_ff_ff_ff;
}

/** Formats a peer as ip:port, bracketing IPv6. */
export function formatRemoteAddress(address: string | undefined, port: number | undefined): string {
  const host = address === undefined ? 'unknown' : address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/**
 * Transport-independent half of a connection: encoding, gzip, back-pressure, the close push,
 * decoding incoming packets and shielding the transport from handler failures.
 */
export abstract class BasePacketConnection implements PacketConnection {
  readonly id = ++lastConnectionId;
  abstract readonly transport: 'ws' | 'tcp';
  private closing = false;
  private ended = false;
  private opened = false;
  private closeWaiters: Array<() => void> = [];
  /** Authenticated (told by the session layer): larger limits, no longer counted by the admission. */
  private trusted = false;
  /** Packets handled in the turn `turn`; those beyond PACKETS_PER_TURN wait in `backlog`. */
  private turn = -1;
  private turnPackets = 0;
  private backlog: Uint8Array[] = [];
  private draining = false;
  /** Decoding with this connection's body limits (built once per connection). */
  private readonly decodeOptions: DecodeOptions = {
    gunzip: nodeGzipCodec.gunzip,
    bodyLimit: (_type, cmd) => this.requestBodyLimit(cmd),
  };

  protected constructor(
    readonly remoteAddress: string,
    protected readonly handler: ConnectionHandler,
    protected readonly options: ResolvedTransportOptions,
    /** The connection's place among the unauthenticated ones, given back once it authenticates. */
    private readonly admissionTicket?: AdmissionTicket,
  ) {}

  authenticated(): void {
    if (this.trusted) return;
    this.trusted = true;
    this.admissionTicket?.release();
    this.onAuthenticated();
  }

  get isOpen(): boolean {
    return !this.closing && !this.ended;
  }

  /** Resolves once the socket has closed. */
  get closed(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  sendResponse(cmd: number, requestId: number, status: number, body: Uint8Array): void {
    const gzip = this.shouldGzip(body);
    // A shared (cached) body goes out as its prepared packet; any other as a freshly encoded one.
    const template = isRequestId(requestId) ? responseTemplate(body, cmd, status, gzip) : undefined;
    if (template) this.sendTemplate(template, requestId);
    else if (gzip) this.send({ type: PacketType.Response, cmd, requestId, status, body, gzip: true });
    else this.sendPlainResponse(cmd, requestId, status, body);
  }

  sendPush(cmd: number, body: Uint8Array): void {
    this.send({ type: PacketType.Push, cmd, body, gzip: this.shouldGzip(body) });
  }

  close(code: CloseCode, reason: string): void {
    if (!this.isOpen) return;
    this.send({ type: PacketType.Push, cmd: CLOSE_CMD, body: encodeBody(CloseSchema, { code, reason }), gzip: false });
    if (!this.isOpen) return; // the close push itself overflowed the buffer and aborted
    this.closing = true;
    this.endGracefully(code, reason);
  }

  /** Writes the bytes of one packet; the transport frames them. */
  protected abstract write(bytes: Uint8Array): void;
  /** Bytes accepted by write() but not yet handed to the kernel. */
  protected abstract bufferedBytes(): number;
  /** Ends after flushing what was written, destroying after the grace period. */
  protected abstract endGracefully(code: CloseCode, reason: string): void;
  /** Drops the socket at once. */
  protected abstract abort(): void;
  /** Stops reading from the peer while received packets wait for their turn. */
  protected abstract pauseReading(): void;
  protected abstract resumeReading(): void;
  /** Raises the transport's own bounds to those of an authenticated connection. */
  protected onAuthenticated(): void {}

  /** The largest body accepted for a request `cmd` on this connection now. */
  private requestBodyLimit(cmd: number): number {
    if (isControlRequest(cmd)) return this.options.maxControlBodyBytes;
    return this.trusted ? this.options.maxInflatedBytes : this.options.maxUnauthenticatedPacketBytes;
  }

  /** Called by the transport once the connection is established. */
  protected markOpened(): void {
    this.opened = true;
    this.guard(() => this.handler.onOpen(this));
  }

  /**
   * Called by the transport with one complete packet's bytes. Handled at once unless this
   * connection has had its share of the current event-loop turn; then it waits, reading paused.
   */
  protected receivePacket(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.backlog.length === 0) {
      const turn = thisTurn();
      if (turn !== this.turn) {
        this.turn = turn;
        this.turnPackets = 0;
      }
      if (this.turnPackets < PACKETS_PER_TURN) {
        this.turnPackets++;
        this.handlePacket(bytes);
        return;
      }
    }
    this.backlog.push(bytes);
    if (!this.draining) {
      this.draining = true;
      this.pauseReading();
      setImmediate(() => this.drainBacklog());
    }
  }

  /**
   * Counts a frame the transport handles itself (a WebSocket ping or pong) towards this turn's
   * share: past it, reading pauses until the next turn.
   */
  protected countControlFrame(): void {
    const turn = thisTurn();
    if (turn !== this.turn) {
      this.turn = turn;
      this.turnPackets = 0;
    }
    if (++this.turnPackets <= PACKETS_PER_TURN || this.draining || !this.isOpen) return;
    this.draining = true;
    this.pauseReading();
    setImmediate(() => this.drainBacklog());
  }

  /** Handles the next share of waiting packets, one share per turn, then reads again. */
  private drainBacklog(): void {
    if (!this.isOpen) {
      this.backlog = [];
      this.draining = false;
      return;
    }
    const share = this.backlog.splice(0, PACKETS_PER_TURN);
    this.corkedBatch(() => {
      for (const bytes of share) this.handlePacket(bytes);
    });
    if (this.backlog.length > 0 && this.isOpen) {
      setImmediate(() => this.drainBacklog());
      return;
    }
    this.backlog = [];
    this.draining = false;
    this.turn = -1;
    if (this.isOpen) this.resumeReading();
  }

  /** Runs `send` so that the answers it writes leave together where the transport can (TCP cork). */
  protected corkedBatch(send: () => void): void {
    send();
  }

  private handlePacket(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    if (!this.trusted && bytes.length > this.options.maxUnauthenticatedPacketBytes) {
      this.closeUnpack(new PacketDecodeError(DecodeFailure.PacketTooLarge, `packet of ${bytes.length} bytes exceeds the limit of ${this.options.maxUnauthenticatedPacketBytes} before authentication`));
      return;
    }
    if ((bytes[0]! & 0x0f) !== PacketType.Request && bytes.length > 0) {
      // Responses and pushes from a client carry nothing the server waits for: their length is
      // checked (an unknown type fails here too), their body never inflated or read.
      try {
        const announced = announcedPacketLength(bytes);
        if (announced !== bytes.length) throw new PacketDecodeError(DecodeFailure.Truncated, `packet announces ${announced ?? 'more'} bytes but has ${bytes.length}`);
      } catch (error) {
        this.closeUnpack(error);
      }
      return;
    }
    let packet: Packet;
    try {
      packet = decodePacket(bytes, this.decodeOptions);
    } catch (error) {
      this.closeUnpack(error);
      return;
    }
    if (packet.type !== PacketType.Request) return;
    // As guard(), without a closure per request.
    try {
      this.settleHandlerResult(this.handler.onRequest(this, packet));
    } catch (error) {
      this.options.onError(error, this);
    }
  }

  /** Ends the connection with the UnpackError close push. */
  protected closeUnpack(error: unknown): void {
    const reason = error instanceof PacketDecodeError ? error.message : 'unpack error';
    this.close(CloseCode.UnpackError, reason);
  }

  /** Called by the transport when the socket has closed, whatever the cause. */
  protected markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.admissionTicket?.release();
    this.backlog = [];
    if (this.opened) this.guard(() => this.handler.onClose(this));
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private send(packet: Packet): void {
    if (!this.isOpen) return;
    let bytes: Uint8Array;
    try {
      bytes = encodePacket(packet, nodeGzipCodec);
    } catch (error) {
      // A body the wire cannot carry is a server bug: report it, keep the connection.
      this.options.onError(error, this);
      return;
    }
    this.writePacket(bytes);
  }

  private sendTemplate(template: ResponseTemplate, requestId: number): void {
    if (!this.isOpen) return;
    const bytes = template.take(requestId);
    this.write(bytes);
    const queued = this.bufferedBytes();
    template.written(bytes, queued > 0);
    this.dropIfSlow(queued);
  }

  private sendPlainResponse(cmd: number, requestId: number, status: number, body: Uint8Array): void {
    if (!this.isOpen) return;
    let bytes: Uint8Array;
    try {
      bytes = encodePlainResponse(cmd, requestId, status, body);
    } catch (error) {
      this.options.onError(error, this); // as send(): a server bug, the connection stays
      return;
    }
    this.writePacket(bytes);
  }

  private writePacket(bytes: Uint8Array): void {
    this.write(bytes);
    this.dropIfSlow(this.bufferedBytes());
  }

  private dropIfSlow(queuedBytes: number): void {
    if (queuedBytes > this.options.maxBufferedBytes) {
      // Slow consumer: a close push would only queue behind the backlog, so drop at once.
      this.closing = true;
      this.abort();
    }
  }

  private shouldGzip(body: Uint8Array): boolean {
    return body.length > this.options.gzipThresholdBytes;
  }

  /** Runs handler code so that neither a throw nor a rejected promise escapes. */
  private guard(call: () => unknown): void {
    try {
      this.settleHandlerResult(call());
    } catch (error) {
      this.options.onError(error, this);
    }
  }

  /** A handler typed `void` may still return a promise: its rejection is reported, never thrown. */
  private settleHandlerResult(result: unknown): void {
    if (result instanceof Promise) result.catch((error: unknown) => this.options.onError(error, this));
  }
}
