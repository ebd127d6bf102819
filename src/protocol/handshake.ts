import { DecodeFailure, PacketDecodeError } from './packet-decode-error.js';

/** Values of the 2-byte TCP handshake (protocol.md): version | codec << 4, platform | reserved << 4. */
export const ProtocolVersion = { V1: 1 } as const;
export const CodecType = { Protobuf: 1 } as const;
export const PlatformType = { OpenAPI: 9 } as const;

export const HANDSHAKE_LENGTH = 2;

export interface Handshake {
  version: number;
  codec: number;
  platform: number;
}

/** The handshake every official SDK sends: 0x11 0x09. */
export const OPENAPI_HANDSHAKE: Handshake = {
  version: ProtocolVersion.V1,
  codec: CodecType.Protobuf,
  platform: PlatformType.OpenAPI,
};

export function encodeHandshake(handshake: Handshake = OPENAPI_HANDSHAKE): Uint8Array {
  return Uint8Array.of((handshake.version & 0x0f) | ((handshake.codec & 0x0f) << 4), handshake.platform & 0x0f);
}

/** Parses and validates the handshake; the reserved nibble of byte 1 is ignored. */
export function decodeHandshake(bytes: Uint8Array): Handshake {
  if (bytes.length !== HANDSHAKE_LENGTH) {
    throw new PacketDecodeError(DecodeFailure.BadHandshake, `handshake must be ${HANDSHAKE_LENGTH} bytes`);
  }
  const handshake = { version: bytes[0]! & 0x0f, codec: bytes[0]! >> 4, platform: bytes[1]! & 0x0f };
  if (
    handshake.version !== ProtocolVersion.V1 ||
    handshake.codec !== CodecType.Protobuf ||
    handshake.platform !== PlatformType.OpenAPI
  ) {
    throw new PacketDecodeError(
      DecodeFailure.BadHandshake,
      `unsupported handshake version ${handshake.version} codec ${handshake.codec} platform ${handshake.platform}`,
    );
  }
  return handshake;
}
