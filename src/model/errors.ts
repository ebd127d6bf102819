/**
 * The one typed error of capflow. It mirrors the wire: a response header status with a
 * business code (qop.error.Error), a close code for errors that end a connection, and the
 * HTTP status used when the same failure reaches an HTTP client. Every error code of the
 * protocol is produced by the factories below, so the mapping lives in one place.
 */

// The wire's numbers are defined once in the protocol layer's leaf modules; re-exported here so
// that every failure is built from this module alone.
import { BusinessCode } from '../protocol/codes/error-codes.js';
import { CloseCode } from '../protocol/codes/close-code.js';
export { BusinessCode, HttpErrorCode, ResponseStatus } from '../protocol/codes/error-codes.js';
export { CloseCode };

export interface CapflowErrorFields {
  /** Response header status (3 bad request / rate limit, 7 business failure). */
  status: number;
  /** Business code (qop.error.Error.code) or HTTP API code. */
  code: number;
  /** HTTP status when surfaced over HTTP. */
  httpStatus: number;
  /** Set when the failure must end the connection with a close push. */
  closeCode?: CloseCode;
}

export class CapflowError extends Error {
  readonly status: number;
  readonly code: number;
  readonly httpStatus: number;
  readonly closeCode: CloseCode | undefined;

  constructor(fields: CapflowErrorFields, message: string) {
    super(message);
    this.name = 'CapflowError';
    this.status = fields.status;
    this.code = fields.code;
    this.httpStatus = fields.httpStatus;
    this.closeCode = fields.closeCode;
  }

  /** Body of the HTTP JSON error: `{code, message}`. */
  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

// ---- business errors of the quote commands (status + code) ----

export function invalidRequest(message: string): CapflowError {
  return new CapflowError({ status: 3, code: BusinessCode.InvalidRequest, httpStatus: 400 }, message);
}

/** protocol.md: `Error{301600, "unknown command"}`, the message exactly as documented. */
export function unknownCommand(_cmd: number): CapflowError {
  return new CapflowError({ status: 3, code: BusinessCode.InvalidRequest, httpStatus: 404 }, 'unknown command');
}

export function rateLimited(message = 'rate limit exceeded'): CapflowError {
  return new CapflowError({ status: 3, code: BusinessCode.RateLimited, httpStatus: 429 }, message);
}

export function subscriptionLimitExceeded(limit: number): CapflowError {
  return new CapflowError(
    { status: 3, code: BusinessCode.SubscriptionLimit, httpStatus: 429 },
    `subscription limit exceeded: this credential may hold ${limit} subscriptions`,
  );
}

export function unknownSymbol(symbol: string): CapflowError {
  return new CapflowError({ status: 7, code: BusinessCode.InvalidRequest, httpStatus: 404 }, `symbol not found: ${symbol}`);
}

export function noQuotes(symbol: string): CapflowError {
  return new CapflowError({ status: 7, code: BusinessCode.NoQuotes, httpStatus: 404 }, `no quotes: ${symbol} has no trade data`);
}

export function noAccess(symbol: string, market: string): CapflowError {
  return new CapflowError(
    { status: 7, code: BusinessCode.NoAccess, httpStatus: 403 },
    `no access: credential lacks market ${market} for ${symbol}`,
  );
}

/** A market-wide question (rankings, sectors) about a market the credential lacks. */
export function noMarketAccess(market: string): CapflowError {
  return new CapflowError({ status: 7, code: BusinessCode.NoAccess, httpStatus: 403 }, `no access: credential lacks market ${market}`);
}

/** A sector with no member in the market (sector names are compared exactly as written). */
export function unknownSector(sector: string, market: string): CapflowError {
  return new CapflowError({ status: 7, code: BusinessCode.InvalidRequest, httpStatus: 404 }, `sector not found: no ${market} security lists sector ${JSON.stringify(sector)}`);
}

/** A request that contradicts what was stored before (HTTP 409), e.g. an idempotency key reused for another body. */
export function conflict(message: string): CapflowError {
  return new CapflowError({ status: 3, code: BusinessCode.InvalidRequest, httpStatus: 409 }, message);
}

export function internalError(message = 'internal server error'): CapflowError {
  return new CapflowError({ status: 7, code: BusinessCode.ServerError, httpStatus: 500 }, message);
}

// ---- connection-ending errors (close push codes) ----

export function closeWith(closeCode: CloseCode, message: string): CapflowError {
  return new CapflowError({ status: 3, code: BusinessCode.InvalidRequest, httpStatus: 400, closeCode }, message);
}

export function unpackError(message: string): CapflowError {
  return closeWith(CloseCode.UnpackError, message);
}

export function authError(message: string): CapflowError {
  return closeWith(CloseCode.AuthError, message);
}

export function sessionExpired(message = 'session expired or unknown'): CapflowError {
  return closeWith(CloseCode.SessExpired, message);
}

export function connectDuplicate(message: string): CapflowError {
  return closeWith(CloseCode.ConnectDuplicate, message);
}

// ---- HTTP API errors ----

export function httpError(httpStatus: number, code: number, message: string): CapflowError {
  return new CapflowError({ status: 3, code, httpStatus }, message);
}

/** Any thrown value as a CapflowError; unexpected failures become 7/301602 (never for bad input). */
export function toCapflowError(error: unknown): CapflowError {
  if (error instanceof CapflowError) return error;
  return internalError();
}
