import { CloseCode } from '../../model/errors.js';
import { encodeBody } from '../../protocol/body-codec.js';
import { CloseSchema } from '../../protocol/gen/control_pb.js';
import { DEFAULT_MAX_INFLATED_BYTES } from '../../protocol/gzip-codec.js';
import { nodeGzipCodec } from '../../protocol/node-gzip-codec.js';
import { PacketType } from '../../protocol/packet.js';
import type { Packet } from '../../protocol/packet.js';
import { decodePacket, encodePacket, type DecodeOptions } from '../../protocol/packet-codec.js';
import { PacketDecodeError } from '../../protocol/packet-decode-error.js';
import { DEFAULT_MAX_PACKET_BYTES } from '../../protocol/stream-framer.js';
import type { ConnectionHandler, PacketConnection, PacketTransportOptions } from './packet-connection.js';
import { encodePlainResponse } from './response-encoding.js';
import { responseTemplate, type ResponseTemplate } from './shared-response-body.js';

/** Command code of the close push. */
export const CLOSE_CMD = 0;

export interface ResolvedTransportOptions {
  maxPacketBytes: number;
  maxInflatedBytes: number;
  gzipThresholdBytes: number;
  maxBufferedBytes: number;
  closeGraceMs: number;
  onError: (error: unknown, conn: PacketConnection | undefined) => void;
  /** How incoming packets are decoded (built once, not per packet). */
  decodeOptions: DecodeOptions;
}

export function resolveTransportOptions(options: PacketTransportOptions): ResolvedTransportOptions {
  const maxInflatedBytes = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  return {
    maxPacketBytes: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
    maxInflatedBytes,
    decodeOptions: { gunzip: nodeGzipCodec.gunzip, maxInflatedBytes },
    gzipThresholdBytes: options.gzipThresholdBytes ?? 8 * 1024,
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
    closeGraceMs: options.closeGraceMs ?? 5_000,
    onError: options.onError ?? ((error) => console.error('capflow transport:', error)),
  };
}

let lastConnectionId = 0;

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

  protected constructor(
    readonly remoteAddress: string,
    protected readonly handler: ConnectionHandler,
    protected readonly options: ResolvedTransportOptions,
  ) {}

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

  /** Called by the transport once the connection is established. */
  protected markOpened(): void {
    this.opened = true;
    this.guard(() => this.handler.onOpen(this));
  }

  /** Called by the transport with one complete packet's bytes. */
  protected receivePacket(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    let packet: Packet;
    try {
      packet = decodePacket(bytes, this.options.decodeOptions);
    } catch (error) {
      this.closeUnpack(error);
      return;
    }
    // Responses and pushes from a client carry nothing the server waits for.
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
