import { signatureHeader } from '../server/auth/request-signature.js';

/** Where and as whom the CLI calls a running server. */
export interface ServerConnection {
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** A failure answered by the server (`{code, message}` with an HTTP status) or met on the way. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A server that could not be reached at all. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${(cause as Error).cause ? String(((cause as Error).cause as Error).message ?? (cause as Error).cause) : (cause as Error).message}`);
    this.name = 'UnreachableError';
  }
}

/**
 * Connection settings from flags, else the LongPort environment variables the official SDKs read
 * (LONGPORT_APP_KEY, LONGPORT_APP_SECRET, LONGPORT_ACCESS_TOKEN, LONGPORT_HTTP_URL). Returns the
 * names of what is missing instead when credentials are incomplete.
 */
export function resolveConnection(
  flags: { url?: string | undefined; 'app-key'?: string | undefined; 'app-secret'?: string | undefined; 'access-token'?: string | undefined },
  env: NodeJS.ProcessEnv,
): ServerConnection | { missing: string[] } {
  const appKey = flags['app-key'] ?? env.LONGPORT_APP_KEY;
  const appSecret = flags['app-secret'] ?? env.LONGPORT_APP_SECRET;
  const accessToken = flags['access-token'] ?? env.LONGPORT_ACCESS_TOKEN;
  const missing: string[] = [];
  if (!appKey) missing.push('--app-key / LONGPORT_APP_KEY');
  if (!appSecret) missing.push('--app-secret / LONGPORT_APP_SECRET');
  if (!accessToken) missing.push('--access-token / LONGPORT_ACCESS_TOKEN');
  if (!appKey || !appSecret || !accessToken) return { missing };
  const url = (flags.url ?? env.LONGPORT_HTTP_URL ?? DEFAULT_SERVER_URL).replace(/\/+$/, '');
  return { url, appKey, appSecret, accessToken };
}

/** Query string in a stable order, encoded the same way for the signature and the request. */
export function queryString(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return search.toString();
}

/** Headers of a request signed as the LongPort SDKs sign it. */
export function signedRequestHeaders(connection: ServerConnection, method: string, path: string, query: string): Record<string, string> {
  const timestamp = (Date.now() / 1000).toFixed(3);
  return {
    'X-Api-Key': connection.appKey,
    Authorization: connection.accessToken,
    'X-Timestamp': timestamp,
    'X-Api-Signature': signatureHeader(
      { method, path, query, appKey: connection.appKey, accessToken: connection.accessToken, timestamp },
      connection.appSecret,
    ),
  };
}

/** A signed GET; resolves to the response (the caller reads it), errors become ApiError / UnreachableError. */
export async function signedGet(
  connection: ServerConnection,
  path: string,
  params: Record<string, string | undefined>,
  init: { accept?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const query = queryString(params);
  const url = `${connection.url}${path}${query ? `?${query}` : ''}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { ...signedRequestHeaders(connection, 'GET', path, query), accept: init.accept ?? 'application/json' },
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new UnreachableError(connection.url, error);
  }
  if (!response.ok) throw await apiErrorOf(response);
  return response;
}

/** The `data` of a LongPort envelope from a signed GET. */
export async function getData<T>(connection: ServerConnection, path: string, params: Record<string, string | undefined>): Promise<T> {
  const response = await signedGet(connection, path, params);
  const body = (await response.json()) as { code?: number; message?: string; data?: T };
  if (body.code !== 0 || body.data === undefined) throw new ApiError(response.status, body.code ?? -1, body.message ?? 'unexpected answer');
  return body.data;
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'number') return new ApiError(response.status, body.code, typeof body.message === 'string' ? body.message : '');
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, 0, `HTTP ${response.status}: ${text.slice(0, 200)}`);
}
