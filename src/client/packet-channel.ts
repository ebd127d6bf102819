import { fromBinary } from '@bufbuild/protobuf';
import { DEFAULT_MAX_INFLATED_BYTES } from '../protocol/gzip-codec.js';
import { CloseSchema } from '../protocol/gen/control_pb.js';
import { ErrorSchema } from '../protocol/gen/error_pb.js';
import { HeaderFlag, PacketType, type Packet } from '../protocol/packet.js';
import { decodePacket, encodePacket } from '../protocol/packet-codec.js';
import { closeCodeName } from '../protocol/codes/close-code.js';
import { CapflowClientError } from './client-error.js';
import { messageBytes, type ClientRuntime, type WebSocketLike } from './client-runtime.js';

const CLOSE_CMD = 0;
const MAX_REQUEST_ID = 0xff_ff_ff_ff;

/** How a channel ended. */
export interface ChannelClosed {
  /** The close push's code, when the server sent one before closing. */
  closeCode: number | undefined;
  reason: string;
  /** True when the client closed it itself. */
  byClient: boolean;
}

interface Pending {
  cmd: number;
  /** Runs synchronously when the answer arrives, before any later packet is handled. */
  accept: (body: Uint8Array) => void;
  reject: (error: CapflowClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface ChannelHandlers {
  onPush(cmd: number, body: Uint8Array): void;
  onClosed(closed: ChannelClosed): void;
}

/**
 * One WebSocket connection carrying protocol packets: numbered requests paired with their
 * responses, pushes, the close push. Incoming packets are handled strictly in arrival order
 * (a gzip body is inflated asynchronously, so later packets wait for it). When the socket
 * closes, every pending request fails with kind `closed`.
 */
export class PacketChannel {
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private inbox: Promise<void> = Promise.resolve();
  private closePush: { code: number; reason: string } | undefined;
  private closedBy: 'client' | 'peer' | undefined;
  private closing = false;

  private constructor(
    private readonly socket: WebSocketLike,
    private readonly runtime: ClientRuntime,
    private readonly handlers: ChannelHandlers,
  ) {}

  /** Opens the socket; rejects (kind `closed`) when it cannot connect within `timeoutMs`. */
  static open(runtime: ClientRuntime, url: string, handlers: ChannelHandlers, timeoutMs: number): Promise<PacketChannel> {
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = runtime.openWebSocket(url);
      } catch (error) {
        reject(new CapflowClientError(`cannot open ${url}: ${(error as Error).message}`, { kind: 'closed' }));
        return;
      }
      socket.binaryType = 'arraybuffer';
      const timer = setTimeout(() => {
        socket.onopen = socket.onclose = socket.onerror = null;
        socket.close();
        reject(new CapflowClientError(`connecting to ${url} timed out`, { kind: 'timeout' }));
      }, timeoutMs);
      socket.onerror = () => {}; // the close event that follows carries the outcome
      socket.onclose = (event) => {
        clearTimeout(timer);
        reject(new CapflowClientError(`cannot connect to ${url} (close ${event.code}${event.reason ? `: ${event.reason}` : ''})`, { kind: 'closed' }));
      };
      socket.onopen = () => {
        clearTimeout(timer);
        resolve(new PacketChannel(socket, runtime, handlers).attach());
      };
    });
  }

  get isOpen(): boolean {
    return this.closedBy === undefined && !this.closing;
  }

  /**
   * Sends a request; `accept` decodes the answer synchronously on arrival (so state it sets is
   * in place before any push that follows). Fails with kind `response` for a non-zero status.
   */
  request<T>(cmd: number, body: Uint8Array, timeoutMs: number, accept: (body: Uint8Array) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.isOpen) {
        reject(this.closedError());
        return;
      }
      const requestId = this.nextRequestId;
      this.nextRequestId = requestId >= MAX_REQUEST_ID ? 1 : requestId + 1;
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new CapflowClientError(`request timed out: command ${cmd} got no answer within ${timeoutMs} ms`, { kind: 'timeout' }));
      }, timeoutMs);
      this.pending.set(requestId, {
        cmd,
        timer,
        reject,
        accept: (answer) => {
          try {
            resolve(accept(answer));
          } catch (error) {
            reject(error instanceof CapflowClientError ? error : new CapflowClientError(`bad answer to command ${cmd}: ${(error as Error).message}`, { kind: 'response' }));
          }
        },
      });
      const bytes = encodePacket({ type: PacketType.Request, cmd, requestId, timeoutMs: Math.min(timeoutMs, 0xffff), body, gzip: false });
      try {
        this.socket.send(bytes);
      } catch (error) {
        this.settle(requestId)?.reject(new CapflowClientError(`send failed: ${(error as Error).message}`, { kind: 'closed' }));
      }
    });
  }

  /** Closes the socket; pending requests fail with kind `closed`. */
  close(reason = 'closed by client'): void {
    if (this.closedBy !== undefined || this.closing) return;
    this.closing = true;
    try {
      this.socket.close(1000, reason);
    } catch {
      // already closing
    }
    // Do not wait for the peer: the caller has moved on.
    this.ended('client', reason);
  }

  private attach(): this {
    this.socket.onmessage = (event) => {
      const bytes = messageBytes(event.data);
      if (!bytes) return;
      const copy = bytes.slice();
      this.inbox = this.inbox.then(() => this.receive(copy)).catch(() => this.socket.close(1002, 'unreadable packet'));
    };
    this.socket.onclose = (event) => {
      // Packets already received (e.g. the close push) are handled before the close.
      void this.inbox.then(() => this.ended('peer', event.reason || `socket closed (${event.code})`));
    };
    this.socket.onerror = () => {};
    return this;
  }

  private async receive(bytes: Uint8Array): Promise<void> {
    if (this.closedBy !== undefined) return;
    const gzip = bytes.length > 0 && (bytes[0]! & HeaderFlag.Gzip) !== 0;
    // The codec's gunzip is synchronous; inflate here instead, after taking the raw body.
    const packet: Packet = decodePacket(bytes, { gunzip: (raw) => raw });
    const body = gzip ? await this.runtime.gunzip(packet.body, DEFAULT_MAX_INFLATED_BYTES) : packet.body;
    if (this.closedBy !== undefined) return;
    switch (packet.type) {
      case PacketType.Response: {
        const pending = this.settle(packet.requestId);
        if (!pending) return;
        if (packet.status === 0) {
          pending.accept(body);
          return;
        }
        let code: number | undefined;
        let message = '';
        try {
          const error = fromBinary(ErrorSchema, body);
          code = Number(error.code);
          message = error.msg;
        } catch {
          // an undecodable error body still fails the request with its status
        }
        pending.reject(
          new CapflowClientError(`response error: ${packet.status}: code ${code ?? 'unknown'}: ${message}`, {
            kind: 'response',
            status: packet.status,
            ...(code === undefined ? {} : { code }),
          }),
        );
        return;
      }
      case PacketType.Push:
        if (packet.cmd === CLOSE_CMD) {
          try {
            const close = fromBinary(CloseSchema, body);
            this.closePush = { code: close.code, reason: close.reason };
          } catch {
            this.closePush = { code: -1, reason: 'undecodable close push' };
          }
          return;
        }
        this.handlers.onPush(packet.cmd, body);
        return;
      case PacketType.Request:
        return; // the server never sends requests
    }
  }

  private settle(requestId: number): Pending | undefined {
    const pending = this.pending.get(requestId);
    if (!pending) return undefined;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    return pending;
  }

  private closedError(): CapflowClientError {
    const push = this.closePush;
    if (push) {
      const name = closeCodeName(push.code);
      return new CapflowClientError(`connection closed by the server (${name}): ${push.reason}`, { kind: 'closed', closeCode: push.code });
    }
    return new CapflowClientError(
      this.closedBy === 'client' ? 'connection closed by the client' : 'connection closed before the answer arrived',
      { kind: 'closed' },
    );
  }

  private ended(by: 'client' | 'peer', reason: string): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = by;
    this.socket.onmessage = null;
    const error = this.closedError();
    for (const requestId of [...this.pending.keys()]) this.settle(requestId)?.reject(error);
    this.handlers.onClosed({ closeCode: this.closePush?.code, reason: this.closePush?.reason ?? reason, byClient: by === 'client' });
  }
}
