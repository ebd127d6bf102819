import { CapflowClientError } from '../client/client-error.js';
import { parseSymbol } from '../model/symbol.js';
import { BusinessCode, HttpErrorCode } from '../protocol/codes/error-codes.js';

export interface ErrorContext {
  readonly url: string;
  readonly symbol?: string;
  readonly appKey?: string;
}

/**
 * A message that says what went wrong and what to do about it, for every code the REST API
 * answers with (docs/errors.md, the token endpoint's 401/403 codes) and for an unreachable server.
 */
export function explainApiError(error: unknown, context: ErrorContext): string {
  if (error instanceof CapflowClientError && error.kind === 'unreachable') {
    return `${error.message}\nIs \`capflow serve\` running there? Point the CLI at it with --url or LONGPORT_HTTP_URL.`;
  }
  if (!(error instanceof CapflowClientError && error.kind === 'http')) return `unexpected failure: ${(error as Error).message ?? String(error)}`;
  const symbol = context.symbol === undefined ? undefined : (parseSymbol(context.symbol)?.symbol ?? context.symbol);
  const market = symbol === undefined ? undefined : parseSymbol(symbol)?.market;
  const detail = error.message ? ` (${error.message})` : '';
  switch (error.code) {
    case BusinessCode.InvalidRequest:
      if (error.httpStatus === 404) {
        return `${symbol ?? 'the symbol'} is not known to the server: ingest its trades (capflow ingest FILE --data DIR) or list it under "securities" in the server's config file.`;
      }
      return `invalid request: ${error.message}\nSymbols are TICKER.REGION with region HK, US, SH, SZ or SG (700.HK, AAPL.US, 600519.SH, D05.SG); dates are YYYY-MM-DD trading days up to today.`;
    case BusinessCode.ServerError:
      return `the server failed unexpectedly${detail}; its log has the details. Try again later.`;
    case BusinessCode.NoQuotes:
      return `${symbol ?? 'the symbol'} is known but has no trade data yet: ingest its trades first (capflow ingest FILE --data DIR or POST /v1/ingest).`;
    case BusinessCode.NoAccess:
      return `your credential has no ${market ?? ''} market permission${symbol ? ` (needed for ${symbol})` : ''}: add "${market ?? 'the market'}" to its "markets" in the server's config file.`;
    case BusinessCode.RateLimited:
      return `rate limit reached${detail}: wait a moment and try again (REST calls share the per-second limits of commands 24 and 25).`;
    case HttpErrorCode.UnknownAppKey:
      return `the server does not know the app key${context.appKey ? ` ${context.appKey}` : ''}: check --app-key / LONGPORT_APP_KEY (\`capflow serve\` prints its demo credential when it starts).`;
    case HttpErrorCode.UnknownAccessToken:
      return 'the access token was refused: check --access-token / LONGPORT_ACCESS_TOKEN.';
    case HttpErrorCode.SignatureMismatch:
      return 'signature mismatch: the app secret does not belong to this app key; check --app-secret / LONGPORT_APP_SECRET.';
    case HttpErrorCode.StaleTimestamp:
      return 'the server refused the request time: this computer\'s clock is more than 5 minutes away from the server\'s; fix the clock.';
    case HttpErrorCode.CredentialExpired:
      return 'the credential has expired or was revoked: ask the server\'s operator for a valid one.';
    case HttpErrorCode.NotFound:
      return `${context.url} has no such endpoint${detail}: is it a capflow server with the REST API (capflow 0.2 or later)?`;
    case HttpErrorCode.TooManyConnections:
      return `the server has too many live streams open${detail}; try again later.`;
    case HttpErrorCode.TooManyStreams:
      return `your credential already has its limit of live streams open${detail}: end another \`capflow watch\` or close a page showing one, then try again.`;
    case HttpErrorCode.Internal:
      return `the server failed unexpectedly${detail}; its log has the details.`;
    default:
      return `the server answered HTTP ${error.httpStatus ?? '?'}${error.code ? ` with code ${error.code}` : ''}${detail}.`;
  }
}
