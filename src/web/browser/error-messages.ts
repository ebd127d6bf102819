import type { ApiError } from './api-client.js';

export interface ErrorExplanation {
  readonly title: string;
  readonly hint: string;
  /** The typed credential is wrong or unusable: the page goes back to the sign-in form. */
  readonly signOut: boolean;
}

/** What each documented error code means to a person looking at the page, and what to do. */
const EXPLANATIONS: Readonly<Record<number, ErrorExplanation>> = {
  0: { title: 'Server unreachable', hint: 'capflow did not answer. The page retries by itself.', signOut: false },
  400001: { title: 'Bad request', hint: 'The server refused the request as malformed.', signOut: false },
  401001: { title: 'Unknown app key', hint: 'No credential on this server has that app key.', signOut: true },
  401002: { title: 'Unknown access token', hint: 'The access token does not belong to this app key, or a stream token expired.', signOut: true },
  401003: { title: 'Signature mismatch', hint: 'The app secret is not the one of this app key.', signOut: true },
  401004: { title: 'Clock out of sync', hint: "This computer's clock differs from the server's by more than 5 minutes.", signOut: false },
  403001: { title: 'Credential expired', hint: 'This credential has expired; ask the operator for a new one.', signOut: true },
  404001: { title: 'Not available', hint: 'This server does not offer the web API.', signOut: false },
  429001: { title: 'Too many live streams', hint: 'The server is at its stream limit. The page retries by itself.', signOut: false },
  429002: { title: 'Too many live streams for this credential', hint: 'This credential already has its limit of live streams open (other tabs or programs); close one. The page retries by itself.', signOut: false },
  301600: { title: 'Unknown symbol', hint: 'The server does not know this symbol. Symbols look like 700.HK, AAPL.US, 600519.SH, D05.SG.', signOut: false },
  301602: { title: 'Server error', hint: 'The server failed unexpectedly. The page retries by itself.', signOut: false },
  301603: { title: 'No trades yet', hint: 'The symbol is known but no trade of it has been ingested.', signOut: false },
  301604: { title: 'No access to this market', hint: "This credential's quote permissions do not include the symbol's market.", signOut: false },
  301606: { title: 'Rate limit reached', hint: 'Too many requests per second for this credential. The page retries by itself.', signOut: false },
};

export function explain(error: ApiError): ErrorExplanation {
  return EXPLANATIONS[error.code] ?? { title: `Error ${error.code}`, hint: 'The server refused the request.', signOut: false };
}
