import type { GzipCodec } from './gzip-codec.js';
import { DEFAULT_MAX_INFLATED_BYTES, gzipFramingAllowance } from './gzip-codec.js';
import {
  HEADER_LENGTH,
  HeaderFlag,
  MAX_BODY_LENGTH,
  NONCE_LENGTH,
  PacketType,
  SIGNATURE_LENGTH,
  VERIFY_TRAILER_LENGTH,
  isPacketType,
} from './packet.js';
import type { Packet, PacketSignature, PacketType as PacketTypeValue } from './packet.js';
import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';

export interface EncodeOptions {
  /** Needed only to encode a packet with `gzip: true`. */
  gzip?: GzipCodec['gzip'];
}

export interface DecodeOptions {
  /** Needed only to decode a packet with the gzip bit (otherwise that is a BadGzip failure). */
  gunzip?: GzipCodec['gunzip'];
  /** Bound of an inflated body (default 16 MiB). */
  maxInflatedBytes?: number;
  /**
   * Largest body a packet of this type and command may carry, both on the wire (a gzip body may
   * be `gzipFramingAllowance` longer) and once inflated; checked before anything is inflated, and
   * the inflation stops as soon as it is passed. Takes the place of maxInflatedBytes when given.
   */
  bodyLimit?: (type: PacketTypeValue, cmd: number) => number;
}

/** Encodes one packet. Throws RangeError for field values the wire cannot carry. */
export function encodePacket(packet: Packet, options: EncodeOptions = {}): Uint8Array {
  let body = packet.body;
  if (packet.gzip) {
    if (!options.gzip) throw new Error('encodePacket: gzip requested but no gzip function given');
    body = options.gzip(body);
  }
  checkUint('body length', body.length, MAX_BODY_LENGTH);
  checkUint('cmd', packet.cmd, 0xff);
  const signature = packet.signature;
  if (signature) checkSignature(signature);

  const headerLength = HEADER_LENGTH[packet.type];
  const trailerLength = signature ? VERIFY_TRAILER_LENGTH : 0;
  const bytes = new Uint8Array(headerLength + body.length + trailerLength);
  const view = new DataView(bytes.buffer);

  bytes[0] = packet.type | (signature ? HeaderFlag.Verify : 0) | (packet.gzip ? HeaderFlag.Gzip : 0);
  bytes[1] = packet.cmd;
  switch (packet.type) {
    case PacketType.Request:
      checkUint('request id', packet.requestId, 0xff_ff_ff_ff);
      checkUint('timeout', packet.timeoutMs, 0xff_ff);
      view.setUint32(2, packet.requestId);
      view.setUint16(6, packet.timeoutMs);
      break;
    case PacketType.Response:
      checkUint('request id', packet.requestId, 0xff_ff_ff_ff);
      checkUint('status', packet.status, 0xff);
      view.setUint32(2, packet.requestId);
      bytes[6] = packet.status;
      break;
    case PacketType.Push:
      break;
  }
  writeUint24(bytes, headerLength - 3, body.length);
  bytes.set(body, headerLength);
  if (signature) {
    bytes.set(signature.nonce, headerLength + body.length);
    bytes.set(signature.signature, headerLength + body.length + NONCE_LENGTH);
  }
  return bytes;
}

/**
 * Decodes exactly one packet: `bytes.length` must equal the length its header announces.
 * Throws PacketDecodeError (close code UnpackError) on any malformed input. The returned
 * body is a view into `bytes` unless it was inflated.
 */
export function decodePacket(bytes: Uint8Array, options: DecodeOptions = {}): Packet {
  const total = announcedPacketLength(bytes);
  if (total === undefined) {
    throw new PacketDecodeError(DecodeFailure.Truncated, `packet of ${bytes.length} bytes is shorter than its header`);
  }
  if (bytes.length < total) {
    throw new PacketDecodeError(DecodeFailure.Truncated, `packet announces ${total} bytes but has ${bytes.length}`);
  }
  if (bytes.length > total) {
    throw new PacketDecodeError(DecodeFailure.TrailingBytes, `packet announces ${total} bytes but has ${bytes.length}`);
  }

  const header = bytes[0]!;
  const type = (header & HeaderFlag.TypeMask) as Packet['type'];
  const gzip = (header & HeaderFlag.Gzip) !== 0;
  const headerLength = HEADER_LENGTH[type];
  const bodyLength = readUint24(bytes, headerLength - 3);
  const rawBody = bytes.subarray(headerLength, headerLength + bodyLength);
  const cmd = bytes[1]!;
  const limit = options.bodyLimit ? options.bodyLimit(type, cmd) : undefined;
  if (limit !== undefined && bodyLength > limit + (gzip ? gzipFramingAllowance(limit) : 0)) {
    throw new PacketDecodeError(DecodeFailure.BodyTooLarge, `body of ${bodyLength} bytes exceeds the limit of ${limit} for command ${cmd}`);
  }
  const body = gzip ? inflate(rawBody, options.gunzip, limit ?? options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES) : rawBody;
  const signatureAt = headerLength + bodyLength;
  const signature: PacketSignature | undefined =
    (header & HeaderFlag.Verify) !== 0
      ? {
          nonce: bytes.subarray(signatureAt, signatureAt + NONCE_LENGTH),
          signature: bytes.subarray(signatureAt + NONCE_LENGTH, signatureAt + VERIFY_TRAILER_LENGTH),
        }
      : undefined;
  // Built field by field (no spreads): every request the server receives comes through here.
  switch (type) {
    case PacketType.Request: {
      const packet: Packet = { type, cmd, body, gzip, requestId: readUint32(bytes, 2), timeoutMs: (bytes[6]! << 8) | bytes[7]! };
      if (signature) packet.signature = signature;
      return packet;
    }
    case PacketType.Response: {
      const packet: Packet = { type, cmd, body, gzip, requestId: readUint32(bytes, 2), status: bytes[6]! };
      if (signature) packet.signature = signature;
      return packet;
    }
    case PacketType.Push: {
      const packet: Packet = { type, cmd, body, gzip };
      if (signature) packet.signature = signature;
      return packet;
    }
  }
}

/**
 * Total packet length announced by the start of `bytes` (header, body, verify trailer), or
 * undefined while the fixed header is still incomplete. Throws UnknownType as soon as the
 * header byte is known to be garbage. Used by the stream framer to delimit packets.
 */
export function announcedPacketLength(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0) return undefined;
  const header = bytes[0]!;
  const type = header & HeaderFlag.TypeMask;
  if (!isPacketType(type)) {
    throw new PacketDecodeError(DecodeFailure.UnknownType, `unknown packet type ${type} (header byte 0x${hex(header)})`);
  }
  const headerLength = HEADER_LENGTH[type];
  if (bytes.length < headerLength) return undefined;
  const trailer = (header & HeaderFlag.Verify) !== 0 ? VERIFY_TRAILER_LENGTH : 0;
  return headerLength + readUint24(bytes, headerLength - 3) + trailer;
}

function inflate(body: Uint8Array, gunzip: DecodeOptions['gunzip'], maxInflatedBytes: number): Uint8Array {
  if (!gunzip) {
    throw new PacketDecodeError(DecodeFailure.BadGzip, 'gzip body but this receiver cannot inflate');
  }
  try {
    return gunzip(body, maxInflatedBytes);
  } catch (error) {
    if (error instanceof PacketDecodeError) throw error;
    throw new PacketDecodeError(DecodeFailure.BadGzip, `bad gzip body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function readUint24(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
}

function writeUint24(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 16) & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = value & 0xff;
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} ${value} is outside 0..${max}`);
  }
}

function checkSignature(signature: PacketSignature): void {
  if (signature.nonce.length !== NONCE_LENGTH || signature.signature.length !== SIGNATURE_LENGTH) {
    throw new RangeError(`verify trailer needs an ${NONCE_LENGTH}-byte nonce and a ${SIGNATURE_LENGTH}-byte signature`);
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
