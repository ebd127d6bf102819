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
  /** The body's SHA-1 (hex) if it was hashed as it arrived. */
  bodySha1?: string | undefined;
}

export interface HttpAuthenticatorOptions {
  credentials: CredentialRegistry;
  /** Accepted distance between X-Timestamp and the server's wall clock (ms). */
  timestampWindowMs: number;
  now?: () => number;
  /** Observes every refused request with its HTTP error code (metrics). */
  onFailure?: (code: number) => void;
}

/** What the headers alone establish: the credential, and whether it came as an OAuth bearer token. */
export interface HeaderAuthentication {
  readonly credential: Credential;
  readonly bearer: boolean;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const BEARER_PREFIX = 'Bearer ';

/**
 * The instant an `X-Timestamp` names, in epoch ms; undefined when it is not a timestamp. Two
 * forms are accepted, told apart by their digits:
 * - exactly 13 digits, no fraction: Unix **milliseconds** (the Go SDKs' `UnixMilli()`; 13 digits
 *   span 2001-09-09 to 2286-11-20);
 * - 1 to 12 digits with an optional fraction of up to 9 digits: Unix **seconds** (the Rust-core
 *   SDKs, e.g. `1700000000.123`). Twelve digits of seconds reach the year 33658, so the two
 *   forms never overlap.
 */
export function timestampMsOf(text: string): number | undefined {
  if (/^\d{13}$/.test(text)) return Number(text);
  if (/^\d{1,12}(\.\d{1,9})?$/.test(text)) return Number(text) * 1000;
  return undefined;
}

/**
 * Verifies a signed HTTP request exactly as the official SDKs sign it (protocol.md): app key,
 * access token, timestamp within the window of the wall clock, HMAC-SHA256 signature over the
 * headers as sent (the timestamp's text, whichever form); then the credential's expiry.
 *
 * `Authorization: Bearer <token>` (OAuth mode) carries no signature and, from the Go SDK, no
 * timestamp: the token alone is the secret. It is accepted only for credentials configured with
 * `bearer` (401005 otherwise); an `X-Timestamp` sent with it must still be within the window.
 */
export class HttpAuthenticator {
  private readonly now: () => number;

  constructor(private readonly options: HttpAuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Everything but the signature (which covers the body): checked before any body byte is read. */
  verifyHeaders(headers: IncomingHttpHeaders): HeaderAuthentication {
    return this.observed(() => this.checkHeaders(headers));
  }

  /** The whole request: headers, then the signature over method, path, query, headers and body. */
  verify(request: HttpRequestToVerify): Credential {
    return this.observed(() => {
      const checked = this.checkHeaders(request.headers);
      if (!checked.bearer) this.checkSignature(request, checked.credential);
      return checked.credential;
    });
  }

  private observed<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof CapflowError) this.options.onFailure?.(error.code);
      throw error;
    }
  }

  private checkHeaders(headers: IncomingHttpHeaders): HeaderAuthentication {
    const appKey = header(headers, 'x-api-key');
    const credential = appKey ? this.options.credentials.byAppKey(appKey) : undefined;
    if (!appKey || !credential) throw httpError(401, HttpErrorCode.UnknownAppKey, appKey ? 'unknown app key (X-Api-Key)' : 'X-Api-Key missing: sign the request with an app key, access token, timestamp and signature');
    const authorization = header(headers, 'authorization') ?? '';
    const bearer = authorization.startsWith(BEARER_PREFIX);
    if (bearer && credential.bearer !== true) {
      throw httpError(
        401,
        HttpErrorCode.BearerNotAllowed,
        'Authorization: Bearer (OAuth mode) is not enabled for this credential: send the access token itself and sign the request (X-Api-Signature), or enable "bearer" for the credential',
      );
    }
    const token = bearer ? authorization.slice(BEARER_PREFIX.length) : authorization;
    if (!accessTokenMatches(credential, token)) {
      throw httpError(401, HttpErrorCode.UnknownAccessToken, 'unknown access token (Authorization)');
    }
    const timestamp = header(headers, 'x-timestamp');
    if (!(bearer && timestamp === undefined)) {
      const at = timestampMsOf(timestamp ?? '');
      if (at === undefined || Math.abs(at - this.now()) > this.options.timestampWindowMs) {
        throw httpError(
          401,
          HttpErrorCode.StaleTimestamp,
          `X-Timestamp missing, malformed (Unix seconds, or 13-digit Unix milliseconds) or more than ${this.options.timestampWindowMs / 1000} s from the server clock`,
        );
      }
    }
    if (credential.expiresAt !== undefined && credential.expiresAt <= this.now()) {
      throw httpError(403, HttpErrorCode.CredentialExpired, 'credential expired or revoked');
    }
    return { credential, bearer };
  }

  private checkSignature(request: HttpRequestToVerify, credential: Credential): void {
    const headers = request.headers;
    const parsed = parseSignatureHeader(header(headers, 'x-api-signature') ?? '');
    const expected = computeSignature(
      {
        method: request.method,
        path: request.path,
        query: request.query,
        appKey: credential.appKey,
        accessToken: header(headers, 'authorization') ?? '',
        timestamp: header(headers, 'x-timestamp') ?? '',
        body: request.body,
        bodySha1: request.bodySha1,
      },
      credential.appSecret,
    );
    if (!parsed || parsed.signedHeaders !== SIGNED_HEADERS || !signaturesEqual(parsed.signature, expected)) {
      throw httpError(401, HttpErrorCode.SignatureMismatch, 'signature mismatch (X-Api-Signature)');
    }
  }
}
