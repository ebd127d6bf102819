import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The headers LongPort signs, in the order they enter the string to sign. */
export const SIGNED_HEADERS = 'authorization;x-api-key;x-timestamp';

export interface SignatureInput {
  method: string;
  /** Path without the query, e.g. `/v1/socket/token`. */
  path: string;
  /** Raw query string without `?` (empty when none). */
  query: string;
  appKey: string;
  accessToken: string;
  /** The X-Timestamp header exactly as sent. */
  timestamp: string;
  /** Request body; an absent or empty body adds nothing. */
  body?: Uint8Array | undefined;
  /** The body's SHA-1 in hex, when the reader already hashed it chunk by chunk (then `body` is not hashed again). */
  bodySha1?: string | undefined;
}

function sha1Hex(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Hex HMAC-SHA256 signature of a request, as the official SDKs compute it (protocol.md). */
export function computeSignature(input: SignatureInput, appSecret: string): string {
  const signedValues =
    `authorization:${input.accessToken}\n` + `x-api-key:${input.appKey}\n` + `x-timestamp:${input.timestamp}\n`;
  let canonical = `${input.method.toUpperCase()}|${input.path}|${input.query}|${signedValues}|${SIGNED_HEADERS}|`;
  if (input.body && input.body.length > 0) canonical += input.bodySha1 ?? sha1Hex(input.body);
  const stringToSign = `HMAC-SHA256|${sha1Hex(canonical)}`;
  return createHmac('sha256', appSecret).update(stringToSign).digest('hex');
}

/** The X-Api-Signature header value for a request. */
export function signatureHeader(input: SignatureInput, appSecret: string): string {
  return `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}, Signature=${computeSignature(input, appSecret)}`;
}

/** Extracts the hex signature from an X-Api-Signature header; undefined when malformed. */
export function parseSignatureHeader(header: string): { signedHeaders: string; signature: string } | undefined {
  const match = /^HMAC-SHA256\s+SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-fA-F]+)$/.exec(header.trim());
  if (!match) return undefined;
  return { signedHeaders: match[1]!, signature: match[2]!.toLowerCase() };
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
