import type { ClientRuntime } from './client-runtime.js';

const SIGNED_HEADERS = 'authorization;x-api-key;x-timestamp';
const encoder = new TextEncoder();

export interface SignedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Query without `?`, empty when none. */
  query: string;
  body?: Uint8Array;
}

export interface SigningCredential {
  appKey: string;
  appSecret: string;
  accessToken: string;
}

/**
 * The headers LongPort's HTTP API expects (protocol.md): the SHA-1 of a canonical request text,
 * signed with HMAC-SHA256 keyed by the app secret.
 */
export async function signRequest(
  runtime: ClientRuntime,
  credential: SigningCredential,
  request: SignedRequest,
  timestamp = (Date.now() / 1000).toFixed(3),
): Promise<Record<string, string>> {
  const signedValues = `authorization:${credential.accessToken}\nx-api-key:${credential.appKey}\nx-timestamp:${timestamp}\n`;
  let canonical = `${request.method.toUpperCase()}|${request.path}|${request.query}|${signedValues}|${SIGNED_HEADERS}|`;
  if (request.body && request.body.length > 0) canonical += await runtime.sha1Hex(request.body);
  const stringToSign = `HMAC-SHA256|${await runtime.sha1Hex(encoder.encode(canonical))}`;
  const signature = await runtime.hmacSha256Hex(credential.appSecret, stringToSign);
  return {
    'X-Api-Key': credential.appKey,
    Authorization: credential.accessToken,
    'X-Timestamp': timestamp,
    'X-Api-Signature': `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
  };
}
