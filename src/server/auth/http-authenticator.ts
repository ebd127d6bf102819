import type { IncomingHttpHeaders } from 'node:http';
import { CapflowError, HttpErrorCode, httpError } from '../../model/errors.js';
import { accessTokenMatches, type Credential, type CredentialRegistry } from './credential.js';
import { computeSignature, parseSignatureHeader, signaturesEqual, SIGNED_HEADERS } from './request-signature.js';

export interface HttpRequestToVerify {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  body?: Uint8Array | undefined;
}

export interface HttpAuthenticatorOptions {
  credentials: CredentialRegistry;
  /** Accepted distance between X-Timestamp and the server's wall clock (ms). */
  timestampWindowMs: number;
  now?: () => number;
  /** Observes every refused request with its HTTP error code (metrics). */
  onFailure?: (code: number) => void;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a signed HTTP request exactly as the official SDKs sign it (protocol.md): app key,
 * access token, timestamp within the window of the wall clock, HMAC-SHA256 signature; then the
 * credential's expiry. An `Authorization: Bearer <token>` request (OAuth mode) carries no
 * signature: the bearer token itself is the secret, so it is accepted when it matches.
 */
export class HttpAuthenticator {
  private readonly now: () => number;

  constructor(private readonly options: HttpAuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  verify(request: HttpRequestToVerify): Credential {
    try {
      return this.verifyNow(request);
    } catch (error) {
      if (error instanceof CapflowError) this.options.onFailure?.(error.code);
      throw error;
    }
  }

  private verifyNow(request: HttpRequestToVerify): Credential {
    const appKey = header(request.headers, 'x-api-key');
    const credential = appKey ? this.options.credentials.byAppKey(appKey) : undefined;
    if (!appKey || !credential) throw httpError(401, HttpErrorCode.UnknownAppKey, 'unknown app key (X-Api-Key)');
    const authorization = header(request.headers, 'authorization') ?? '';
    const bearer = authorization.startsWith('Bearer ');
    const token = bearer ? authorization.slice('Bearer '.length) : authorization;
    if (!accessTokenMatches(credential, token)) {
      throw httpError(401, HttpErrorCode.UnknownAccessToken, 'unknown access token (Authorization)');
    }
    const timestamp = header(request.headers, 'x-timestamp') ?? '';
    const seconds = /^\d{1,12}(\.\d{1,9})?$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (Number.isNaN(seconds) || Math.abs(seconds * 1000 - this.now()) > this.options.timestampWindowMs) {
      throw httpError(
        401,
        HttpErrorCode.StaleTimestamp,
        `X-Timestamp missing or more than ${this.options.timestampWindowMs / 1000} s from the server clock`,
      );
    }
    if (!bearer) {
      const parsed = parseSignatureHeader(header(request.headers, 'x-api-signature') ?? '');
      const expected = computeSignature(
        { method: request.method, path: request.path, query: request.query, appKey, accessToken: authorization, timestamp, body: request.body },
        credential.appSecret,
      );
      if (!parsed || parsed.signedHeaders !== SIGNED_HEADERS || !signaturesEqual(parsed.signature, expected)) {
        throw httpError(401, HttpErrorCode.SignatureMismatch, 'signature mismatch (X-Api-Signature)');
      }
    }
    if (credential.expiresAt !== undefined && credential.expiresAt <= this.now()) {
      throw httpError(403, HttpErrorCode.CredentialExpired, 'credential expired or revoked');
    }
    return credential;
  }
}
