import type { CapflowClientError } from '../../client/client-error.js';
import { BusinessCode, HttpErrorCode } from '../../protocol/codes/error-codes.js';

export interface ErrorExplanation {
  readonly title: string;
  readonly hint: string;
  /** The typed credential is wrong or unusable: the page goes back to the sign-in form. */
  readonly signOut: boolean;
}

const UNREACHABLE: ErrorExplanation = { title: 'Server unreachable', hint: 'capflow did not answer. The page retries by itself.', signOut: false };

/** What each documented error code means to a person looking at the page, and what to do. */
const EXPLANATIONS: Readonly<Record<number, ErrorExplanation>> = {
  [HttpErrorCode.BadRequest]: { title: 'Bad request', hint: 'The server refused the request as malformed.', signOut: false },
  [HttpErrorCode.UnknownAppKey]: { title: 'Unknown app key', hint: 'No credential on this server has that app key.', signOut: true },
  [HttpErrorCode.UnknownAccessToken]: { title: 'Unknown access token', hint: 'The access token does not belong to this app key.', signOut: true },
  [HttpErrorCode.SignatureMismatch]: { title: 'Signature mismatch', hint: 'The app secret is not the one of this app key.', signOut: true },
  [HttpErrorCode.StaleTimestamp]: { title: 'Clock out of sync', hint: "This computer's clock differs from the server's by more than 5 minutes.", signOut: false },
  [HttpErrorCode.CredentialExpired]: { title: 'Credential expired', hint: 'This credential has expired; ask the operator for a new one.', signOut: true },
  [HttpErrorCode.NotFound]: { title: 'Not available', hint: 'This server does not offer the web API.', signOut: false },
  [HttpErrorCode.TooManyConnections]: { title: 'Too many live streams', hint: 'The server is at its stream limit. The page retries by itself.', signOut: false },
  [HttpErrorCode.TooManyStreams]: {
    title: 'Too many live streams for this credential',
    hint: 'This credential already has its limit of live streams open (other tabs or programs); close one. The page retries by itself.',
    signOut: false,
  },
  [BusinessCode.InvalidRequest]: { title: 'Unknown symbol', hint: 'The server does not know this symbol. Symbols look like 700.HK, AAPL.US, 600519.SH, D05.SG.', signOut: false },
  [BusinessCode.ServerError]: { title: 'Server error', hint: 'The server failed unexpectedly. The page retries by itself.', signOut: false },
  [BusinessCode.NoQuotes]: { title: 'No trades yet', hint: 'The symbol is known but no trade of it has been ingested.', signOut: false },
  [BusinessCode.NoAccess]: { title: 'No access to this market', hint: "This credential's quote permissions do not include the symbol's market.", signOut: false },
  [BusinessCode.RateLimited]: { title: 'Rate limit reached', hint: 'Too many requests per second for this credential. The page retries by itself.', signOut: false },
};

export function explain(error: CapflowClientError): ErrorExplanation {
  if (error.kind === 'unreachable' || error.code === undefined) return error.kind === 'http' ? { title: `HTTP ${error.httpStatus ?? '?'}`, hint: 'The server refused the request.', signOut: false } : UNREACHABLE;
  return EXPLANATIONS[error.code] ?? { title: `Error ${error.code}`, hint: 'The server refused the request.', signOut: false };
}
