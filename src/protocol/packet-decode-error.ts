import { BusinessCode, CapflowError, CloseCode } from '../model/errors.js';

/** Why bytes could not be turned into packets. */
export const DecodeFailure = {
  /** Fewer bytes than the header and body_len announce. */
  Truncated: 'truncated',
  /** More bytes than the header and body_len announce (one packet per message). */
  TrailingBytes: 'trailing-bytes',
  /** Header type nibble is not request, response or push. */
  UnknownType: 'unknown-type',
  /** Packet longer than the receiver's bound (announced, before the body is buffered). */
  PacketTooLarge: 'packet-too-large',
  /** Body longer on the wire than the receiver accepts for this packet (see DecodeOptions.bodyLimit). */
  BodyTooLarge: 'body-too-large',
  /** Body has the gzip bit but is not valid gzip. */
  BadGzip: 'bad-gzip',
  /** Inflated body would exceed the receiver's bound. */
  InflatedTooLarge: 'inflated-too-large',
  /** TCP handshake with an unknown version, codec or platform. */
  BadHandshake: 'bad-handshake',
} as const;
export type DecodeFailure = (typeof DecodeFailure)[keyof typeof DecodeFailure];

/**
 * A decode failure. It is a CapflowError whose close code is UnpackError, so a transport can
 * end the connection with the right close push without a mapping of its own.
 */
export class PacketDecodeError extends CapflowError {
  readonly reason: DecodeFailure;

  constructor(reason: DecodeFailure, message: string) {
    super(
      { status: 3, code: BusinessCode.InvalidRequest, httpStatus: 400, closeCode: CloseCode.UnpackError },
      message,
    );
    this.name = 'PacketDecodeError';
    this.reason = reason;
  }
}
