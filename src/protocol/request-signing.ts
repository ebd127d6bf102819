/**
 * The LongPort request signature (protocol.md, "HTTP token API"), the one implementation that the
 * server's verification, the Node and browser clients, the CLI and the web page share.
 *
 * Plain synchronous code over `@noble/hashes` (audited, no dependencies): it runs the same in
 * Node and in every browser, including a page served over plain HTTP from another host, where
 * WebCrypto's `crypto.subtle` does not exist.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** The headers LongPort signs, in the order they enter the string to sign. */
export const SIGNED_HEADERS = 'authorization;x-api-key;x-timestamp';

/** What a signature covers. */
export interface RequestToSign {
  readonly method: string;
  /** Path without the query, e.g. `/v1/socket/token`. */
  readonly path: string;
  /** The raw query string exactly as sent, without `?` (empty when none). */
  readonly query: string;
  readonly appKey: string;
  /** The `Authorization` header exactly as sent (the access token). */
  readonly accessToken: string;
  /** The `X-Timestamp` header exactly as sent. */
  readonly timestamp: string;
  /** The body; an absent or empty body adds nothing (even with `bodySha1`). */
  readonly body?: Uint8Array | undefined;
  /**
   * The body's SHA-1 in hex when the caller already has it (the server hashes a body chunk by
   * chunk as it arrives); then `body` is not hashed again.
   */
  readonly bodySha1?: string | undefined;
}

/** The three values a person or program signs with: those of the official SDKs. */
export interface SigningCredential {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

const encoder = new TextEncoder();

/** Hex SHA-1 of bytes (a body's digest for the canonical request). */
export function sha1Hex(data: Uint8Array): string {
  return bytesToHex(sha1(data));
}

/**
 * Hex HMAC-SHA256, keyed with the app secret, of
 * `HMAC-SHA256|sha1hex(METHOD|PATH|QUERY|authorization:TOKEN\nx-api-key:KEY\nx-timestamp:TS\n|SIGNED_HEADERS|sha1hex(body)?)`:
 * exactly what the official SDKs send in `X-Api-Signature`.
 */
export function computeSignature(request: RequestToSign, appSecret: string): string {
  const signedValues = `authorization:${request.accessToken}\nx-api-key:${request.appKey}\nx-timestamp:${request.timestamp}\n`;
  let canonical = `${request.method.toUpperCase()}|${request.path}|${request.query}|${signedValues}|${SIGNED_HEADERS}|`;
  if (request.body && request.body.length > 0) canonical += request.bodySha1 ?? sha1Hex(request.body);
  const stringToSign = `HMAC-SHA256|${sha1Hex(encoder.encode(canonical))}`;
  return bytesToHex(hmac(sha256, encoder.encode(appSecret), encoder.encode(stringToSign)));
}

/** The `X-Api-Signature` header value of a request. */
export function signatureHeader(request: RequestToSign, appSecret: string): string {
  return `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}, Signature=${computeSignature(request, appSecret)}`;
}

/** The hex signature and signed header names of an `X-Api-Signature` header; undefined when malformed. */
export function parseSignatureHeader(header: string): { signedHeaders: string; signature: string } | undefined {
  const match = /^HMAC-SHA256\s+SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-fA-F]+)$/.exec(header.trim());
  if (!match) return undefined;
  return { signedHeaders: match[1]!, signature: match[2]!.toLowerCase() };
}

/** `X-Timestamp` as the Rust-core SDKs send it: Unix seconds with milliseconds (`1718000000.123`). */
export function signingTimestamp(nowMs: number = Date.now()): string {
  return (nowMs / 1000).toFixed(3);
}

/** What to sign of a request besides the credential and the time. */
export interface HttpRequestToSign {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body?: Uint8Array | undefined;
  readonly bodySha1?: string | undefined;
}

/** The four headers of a LongPort-signed request. */
export function signedHeaders(
  credential: SigningCredential,
  request: HttpRequestToSign,
  timestamp: string = signingTimestamp(),
): Record<string, string> {
  return {
    'X-Api-Key': credential.appKey,
    Authorization: credential.accessToken,
    'X-Timestamp': timestamp,
    'X-Api-Signature': signatureHeader({ ...request, appKey: credential.appKey, accessToken: credential.accessToken, timestamp }, credential.appSecret),
  };
}
