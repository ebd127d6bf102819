/**
 * The wire's error numbers, defined once for the server, the clients, the CLI, the web page and
 * the API description: response header statuses, the business codes of `qop.error.Error`
 * (docs/errors.md, docs/protocol.md) and the codes of HTTP error bodies (`{code, message}`).
 * A leaf module (no imports), so a browser page can load it alone.
 */

/** Response header status values (protocol.md). */
export const ResponseStatus = {
  Success: 0,
  BadRequest: 3,
  BusinessFailure: 7,
} as const;

/** Business codes of qop.error.Error; the REST API answers with them too. */
export const BusinessCode = {
  /** Malformed request (symbol, date, parameter), unknown symbol, unknown command. */
  InvalidRequest: 301600,
  ServerError: 301602,
  /** A known symbol without trade data. */
  NoQuotes: 301603,
  /** The credential lacks the symbol's market. */
  NoAccess: 301604,
  RateLimited: 301606,
  /** capflow: more live subscriptions than the credential's subscribe_limit. */
  SubscriptionLimit: 301607,
} as const;
export type BusinessCode = (typeof BusinessCode)[keyof typeof BusinessCode];

/** Codes of the HTTP API's own failures (protocol.md, "Token endpoint errors", and capflow's additions). */
export const HttpErrorCode = {
  BadRequest: 400001,
  UnknownAppKey: 401001,
  UnknownAccessToken: 401002,
  SignatureMismatch: 401003,
  StaleTimestamp: 401004,
  /** capflow: `Authorization: Bearer` for a credential not configured for it (OAuth mode is opt-in). */
  BearerNotAllowed: 401005,
  CredentialExpired: 403001,
  NotFound: 404001,
  /** capflow: a request body not received within the time limit. */
  BodyTimeout: 408001,
  PayloadTooLarge: 413001,
  /** Live streams open at once across the server. */
  TooManyConnections: 429001,
  /** capflow: live streams open at once for one credential. */
  TooManyStreams: 429002,
  Internal: 500001,
  /** capflow: request bodies in flight across the server are at their cap; retry shortly. */
  BodiesInFlight: 503001,
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];

/**
 * Failures that may pass by themselves, so a client may retry after a pause: over a rate limit or
 * a stream cap, bodies in flight at their cap, an unexpected server failure.
 */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  BusinessCode.RateLimited,
  BusinessCode.ServerError,
  HttpErrorCode.TooManyConnections,
  HttpErrorCode.Internal,
  HttpErrorCode.BodiesInFlight,
]);
