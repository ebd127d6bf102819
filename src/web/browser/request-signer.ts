import { hmacSha256, sha1, toHex } from './pure-hash.js';

/** What a person types to sign in: the same three values the official SDKs take. */
export interface BrowserCredential {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** The raw query string exactly as sent, without `?`. */
  readonly query: string;
  readonly body?: Uint8Array | undefined;
}

const SIGNED_HEADERS = 'authorization;x-api-key;x-timestamp';
const encoder = new TextEncoder();

/** The WebCrypto subtle API when the page runs in a secure context; undefined otherwise. */
function subtle(): SubtleCrypto | undefined {
  const api = (globalThis as { crypto?: Crypto }).crypto;
  return api && api.subtle && typeof api.subtle.digest === 'function' ? api.subtle : undefined;
}

async function sha1Hex(data: Uint8Array): Promise<string> {
  const api = subtle();
  return toHex(api ? new Uint8Array(await api.digest('SHA-1', data as BufferSource)) : sha1(data));
}

async function hmacHex(secret: string, data: Uint8Array): Promise<string> {
  const api = subtle();
  if (!api) return toHex(hmacSha256(encoder.encode(secret), data));
  const key = await api.importKey('raw', encoder.encode(secret) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await api.sign('HMAC', key, data as BufferSource)));
}

/**
 * The headers of a LongPort-signed request (the scheme of the official SDKs and of capflow's
 * `GET /v1/socket/token`): HMAC-SHA256, keyed with the app secret, over
 * `HMAC-SHA256|sha1(METHOD|PATH|QUERY|signed header values|signed header names|sha1(body)?)`.
 */
export async function signRequest(
  credential: BrowserCredential,
  request: RequestToSign,
  timestamp = (Date.now() / 1000).toFixed(3),
): Promise<Record<string, string>> {
  const values = `authorization:${credential.accessToken}\nx-api-key:${credential.appKey}\nx-timestamp:${timestamp}\n`;
  let canonical = `${request.method.toUpperCase()}|${request.path}|${request.query}|${values}|${SIGNED_HEADERS}|`;
  if (request.body && request.body.length > 0) canonical += await sha1Hex(request.body);
  const signature = await hmacHex(credential.appSecret, encoder.encode(`HMAC-SHA256|${await sha1Hex(encoder.encode(canonical))}`));
  return {
    'X-Api-Key': credential.appKey,
    Authorization: credential.accessToken,
    'X-Timestamp': timestamp,
    'X-Api-Signature': `HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
  };
}
