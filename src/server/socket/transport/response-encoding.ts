import { HEADER_LENGTH, MAX_BODY_LENGTH, PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';

const RESPONSE_HEADER_LENGTH = HEADER_LENGTH[PacketType.Response];

/**
 * `encodePacket` of a plain response (no gzip, no verify trailer), the packet of nearly every
 * answer: written into one buffer that is not zero-filled first, since every byte of it is set
 * here. Values the wire cannot carry go to encodePacket, which throws its RangeError.
 */
export function encodePlainResponse(cmd: number, requestId: number, status: number, body: Uint8Array): Uint8Array {
  const length = body.length;
  if (!isUint(cmd, 0xff) || !isUint(status, 0xff) || !isUint(requestId, 0xff_ff_ff_ff) || length > MAX_BODY_LENGTH) {
    return encodePacket({ type: PacketType.Response, cmd, requestId, status, body, gzip: false });
  }
  const bytes = Buffer.allocUnsafe(RESPONSE_HEADER_LENGTH + length);
  bytes[0] = PacketType.Response;
  bytes[1] = cmd;
  bytes.writeUInt32BE(requestId, 2);
  bytes[6] = status;
  bytes[7] = length >>> 16;
  bytes[8] = (length >>> 8) & 0xff;
  bytes[9] = length & 0xff;
  bytes.set(body, RESPONSE_HEADER_LENGTH);
  return bytes;
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}
