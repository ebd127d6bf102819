/**
 * Packet model of the LongPort socket protocol (protocol.md, "Packets"). Pure data: no I/O,
 * no node: imports, so the codec runs in a browser as well as in Node.
 */

/** Header type nibble (bits 0–3 of the header byte). */
export const PacketType = {
  Request: 1,
  Response: 2,
  Push: 3,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Header flag bits. Bits 6–7 are reserved and ignored on decode, never set on encode. */
export const HeaderFlag = {
  TypeMask: 0b0000_1111,
  Verify: 0b0001_0000,
  Gzip: 0b0010_0000,
} as const;

/** Largest body a 24-bit `body_len` can describe. */
export const MAX_BODY_LENGTH = 0xff_ff_ff;
export const NONCE_LENGTH = 8;
export const SIGNATURE_LENGTH = 16;
/** Bytes that follow the body when the verify flag is set (nonce + signature). */
export const VERIFY_TRAILER_LENGTH = NONCE_LENGTH + SIGNATURE_LENGTH;

/** Fixed header length (header byte included, body excluded) of each packet type. */
export const HEADER_LENGTH = {
  [PacketType.Request]: 11, // header, cmd u8, request_id u32, timeout u16, body_len u24
  [PacketType.Response]: 10, // header, cmd u8, request_id u32, status u8, body_len u24
  [PacketType.Push]: 5, // header, cmd u8, body_len u24
} as const satisfies Record<PacketType, number>;

/** Largest packet the protocol can describe (request header, maximal body, verify trailer). */
export const MAX_PACKET_LENGTH = HEADER_LENGTH[PacketType.Request] + MAX_BODY_LENGTH + VERIFY_TRAILER_LENGTH;

/** Nonce and signature carried by a packet with the verify flag (skipped, never checked). */
export interface PacketSignature {
  nonce: Uint8Array;
  signature: Uint8Array;
}

interface PacketCommon {
  cmd: number;
  /**
   * The body, always uncompressed. `gzip` says whether it travels gzip-compressed on the
   * wire: set on decode when the header had the gzip bit, honoured on encode.
   */
  body: Uint8Array;
  gzip: boolean;
  /** Present when the header had the verify flag. */
  signature?: PacketSignature;
}

export interface RequestPacket extends PacketCommon {
  type: typeof PacketType.Request;
  requestId: number;
  timeoutMs: number;
}

export interface ResponsePacket extends PacketCommon {
  type: typeof PacketType.Response;
  requestId: number;
  status: number;
}

export interface PushPacket extends PacketCommon {
  type: typeof PacketType.Push;
}

export type Packet = RequestPacket | ResponsePacket | PushPacket;

export function isPacketType(value: number): value is PacketType {
  return value === PacketType.Request || value === PacketType.Response || value === PacketType.Push;
}
