import { MAX_BODY_LENGTH, PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { nodeGzipCodec } from '../../../protocol/node-gzip-codec.js';

/**
 * The encoded response packet of a shared body, sent again and again with only its request id
 * changed: no encoding, no allocation and no gzip per answer. A write that leaves the bytes
 * queued (a slow peer) lends the buffer to the socket; the next answer then starts from a copy,
 * so bytes a socket still holds are never changed.
 */
export class ResponseTemplate {
  /** A Buffer, so the socket layers take it as it is (no view built per write). */
  private bytes: Buffer;
  private lent = false;

  constructor(
    readonly cmd: number,
    readonly status: number,
    readonly gzip: boolean,
    body: Uint8Array,
  ) {
    const encoded = encodePacket({ type: PacketType.Response, cmd, requestId: 0, status, body, gzip }, nodeGzipCodec);
    this.bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }

  /** The packet of `requestId`, to be written now and then given back with `written`. */
  take(requestId: number): Uint8Array {
    if (this.lent) this.bytes = Buffer.from(this.bytes); // a copy: the lent buffer stays as the socket holds it
    const bytes = this.bytes;
    bytes[2] = requestId >>> 24;
    bytes[3] = (requestId >>> 16) & 0xff;
    bytes[4] = (requestId >>> 8) & 0xff;
    bytes[5] = requestId & 0xff;
    this.lent = true;
    return bytes;
  }

  /** After the write: `queued` when the socket still holds unsent bytes (the buffer stays lent). */
  written(bytes: Uint8Array, queued: boolean): void {
    if (!queued && bytes === this.bytes) this.lent = false;
  }
}

/** Shared bodies (null until first sent) and their templates. Weak: a body dropped by its cache drops its template. */
const templates = new WeakMap<Uint8Array, ResponseTemplate | null>();

/**
 * Declares that `body` never changes and is likely answered again (a cached answer), so the
 * transports keep its whole encoded response packet.
 */
export function shareResponseBody(body: Uint8Array): void {
  if (!templates.has(body)) templates.set(body, null);
}

/** The template of a shared body for this command, status and gzip choice; undefined for any other body. */
export function responseTemplate(body: Uint8Array, cmd: number, status: number, gzip: boolean): ResponseTemplate | undefined {
  const known = templates.get(body);
  if (known === undefined) return undefined;
  if (known !== null && known.cmd === cmd && known.status === status && known.gzip === gzip) return known;
  // What the wire cannot carry takes the plain path, which reports encodePacket's RangeError.
  if (!isUint(cmd, 0xff) || !isUint(status, 0xff) || body.length > MAX_BODY_LENGTH) return undefined;
  const template = new ResponseTemplate(cmd, status, gzip, body);
  templates.set(body, template);
  return template;
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}
