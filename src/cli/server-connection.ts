import { RestClient } from '../client/rest-client.js';

/** Where and as whom the CLI calls a running server. */
export interface ServerConnection {
  readonly url: string;
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

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

/** The client package's REST client, signing as the connection's credential. */
export function restClientOf(connection: ServerConnection): RestClient {
  return new RestClient({ httpUrl: connection.url, credential: connection });
}

/** Flags every command that talks to a running server takes. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string', value: 'URL', description: 'the server\'s HTTP address (or LONGPORT_HTTP_URL; default http://127.0.0.1:8080)' },
  'app-key': { type: 'string', value: 'KEY', description: 'the credential\'s app key (or LONGPORT_APP_KEY)' },
  'app-secret': { type: 'string', value: 'SECRET', description: 'its app secret (or LONGPORT_APP_SECRET)' },
  'access-token': { type: 'string', value: 'TOKEN', description: 'its access token (or LONGPORT_ACCESS_TOKEN)' },
} as const;

export const CONNECTION_USAGE =
  'The server and credential come from --url, --app-key, --app-secret and --access-token, or from LONGPORT_HTTP_URL, LONGPORT_APP_KEY, LONGPORT_APP_SECRET and LONGPORT_ACCESS_TOKEN (the variables `capflow serve` prints).';
