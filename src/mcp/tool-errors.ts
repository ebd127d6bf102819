import { CapflowClientError } from '../client/client-error.js';
import { BusinessCode, ResponseStatus } from '../protocol/codes/error-codes.js';

/**
 * The wire's response status of a REST failure, as the socket API would answer the same request:
 * 7 (business failure) for an unknown symbol (301600 answered 404), missing data, missing
 * permission and server failures; 3 (bad request) for malformed input, rate limits and the HTTP
 * API's own refusals.
 */
export function wireStatusOf(code: number, httpStatus: number | undefined): number {
  if (code === BusinessCode.InvalidRequest) return httpStatus === 404 ? ResponseStatus.BusinessFailure : ResponseStatus.BadRequest;
  if (code === BusinessCode.NoQuotes || code === BusinessCode.NoAccess || code === BusinessCode.ServerError) return ResponseStatus.BusinessFailure;
  return ResponseStatus.BadRequest;
}

/** A failure as the text of an MCP tool error: `status/code message`, e.g. `7/301600 symbol not found: FOO.HK`. */
export function toolErrorText(error: unknown): string {
  if (error instanceof CapflowClientError) {
    if (error.code !== undefined) return `${error.status ?? wireStatusOf(error.code, error.httpStatus)}/${error.code} ${error.message}`;
    return error.message;
  }
  return `${ResponseStatus.BusinessFailure}/${BusinessCode.ServerError} ${(error as Error)?.message ?? String(error)}`;
}

/** Arguments that do not fit a tool's input schema: a bad request, as the REST API answers one. */
export function invalidArgumentsText(tool: string, problems: readonly string[]): string {
  return `${ResponseStatus.BadRequest}/${BusinessCode.InvalidRequest} invalid arguments for ${tool}: ${problems.join('; ')}`;
}
