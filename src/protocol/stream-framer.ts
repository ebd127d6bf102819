import { HANDSHAKE_LENGTH, decodeHandshake } from './handshake.js';
import type { Handshake } from './handshake.js';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, PacketType } from './packet.js';
import { announcedPacketLength } from './packet-codec.js';
import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';

export interface StreamFramerOptions {
  /** Expect the 2-byte handshake before the first packet (the server side of TCP). Default true. */
  handshake?: boolean;
  /**
   * Largest packet accepted (header, body and verify trailer). A larger announced length fails
   * as soon as the header is complete, before any of the body is buffered. Default: 1 MiB.
   */
  maxPacketBytes?: number;
}

export const DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;

export interface FramerOutput {
  /** Set by the feed that completed the handshake. */
  handshake?: Handshake;
  /** Complete packets in arrival order, each exactly one packet for `decodePacket`. */
  frames: Uint8Array[];
  /** Set when the stream is unusable; frames before the failure are still delivered. */
  error?: PacketDecodeError;
}

/**
 * Incremental parser of a TCP byte stream: the handshake, then packets delimited by their
 * header and body_len. Feed it chunks of any size; after a failure it stays failed.
 */
export class StreamFramer {
  private readonly expectHandshake: boolean;
  private maxPacketBytes: number;
  private handshakeDone: boolean;
  private failure: PacketDecodeError | undefined;
  /** Received bytes not yet framed, as a list of chunks so big packets are joined only once. */
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(options: StreamFramerOptions = {}) {
    this.expectHandshake = options.handshake ?? true;
    this.handshakeDone = !this.expectHandshake;
    this.maxPacketBytes = Math.min(options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES, MAX_PACKET_LENGTH);
  }

  /**
   * Changes the bound from the next feed on, for the packet being buffered too (a server raises
   * it once the peer has authenticated).
   */
  setMaxPacketBytes(bytes: number): void {
    this.maxPacketBytes = Math.min(bytes, MAX_PACKET_LENGTH);
  }

  /** Bytes held waiting for the rest of a packet. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  feed(chunk: Uint8Array): FramerOutput {
    const output: FramerOutput = { frames: [] };
    if (this.failure) {
      output.error = this.failure;
      return output;
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    try {
      if (!this.handshakeDone) {
        if (this.buffered < HANDSHAKE_LENGTH) return output;
        output.handshake = decodeHandshake(this.take(HANDSHAKE_LENGTH));
        this.handshakeDone = true;
      }
      for (;;) {
        const length = this.nextPacketLength();
        if (length === undefined || this.buffered < length) break;
        output.frames.push(this.take(length));
      }
    } catch (error) {
      this.failure =
        error instanceof PacketDecodeError ? error : new PacketDecodeError(DecodeFailure.Truncated, String(error));
      this.chunks = [];
      this.buffered = 0;
      output.error = this.failure;
    }
    return output;
  }

  /** Length of the next packet once its fixed header is buffered; enforces the bound. */
  private nextPacketLength(): number | undefined {
    if (this.buffered === 0) return undefined;
    // The request header is the longest; peek at most that much (a small copy).
    const header = this.peek(Math.min(this.buffered, HEADER_LENGTH[PacketType.Request]));
    const length = announcedPacketLength(header);
    if (length !== undefined && length > this.maxPacketBytes) {
      throw new PacketDecodeError(
        DecodeFailure.PacketTooLarge,
        `packet of ${length} bytes exceeds the limit of ${this.maxPacketBytes}`,
      );
    }
    return length;
  }

  private peek(length: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= length) return first.subarray(0, length);
    return this.copyOut(length, false);
  }

  private take(length: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= length) {
      const taken = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      this.buffered -= length;
      return taken;
    }
    return this.copyOut(length, true);
  }

  /** Joins the first `length` buffered bytes into one array, consuming them when asked. */
  private copyOut(length: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    let index = 0;
    while (filled < length) {
      const chunk = this.chunks[index]!;
      const part = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (consume && part < chunk.length) this.chunks[index] = chunk.subarray(part);
      else index += 1;
    }
    if (consume) {
      this.chunks.splice(0, index); // chunks fully consumed
      this.buffered -= length;
    }
    return out;
  }
}
