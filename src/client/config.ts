import { CapflowClientError } from './client-error.js';
import type { ClientRuntime } from './client-runtime.js';

/** Options of `new Config(...)`: the official SDK's names, plus capflow's client settings. */
export interface ConfigParams {
  appKey: string;
  appSecret: string;
  accessToken: string;
  /** HTTP endpoint of the token API (default `http://127.0.0.1:8080`, capflow's default). */
  httpUrl?: string;
  /** Quote WebSocket endpoint (default: `httpUrl` with ws/wss and path `/v2`). */
  quoteWsUrl?: string;
  /** Sent as `UserQuoteProfileRequest.language` (default `en`). */
  language?: string;
  /** Accepted for compatibility with the official SDK; the capflow client prints nothing. */
  enablePrintQuotePackages?: boolean;
  /** A request not answered within this time fails with kind `timeout` (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** Heartbeat (command 1) interval (default 20,000 ms); an unanswered heartbeat drops the connection. */
  heartbeatIntervalMs?: number;
  /** First delay before reconnecting after an unexpected close (default 200 ms, doubling). */
  reconnectDelayMs?: number;
  /** Longest delay between reconnect attempts (default 10,000 ms). */
  maxReconnectDelayMs?: number;
  /** Pace requests by the rate limits of command 4 (default true). */
  enableRateLimit?: boolean;
  /** The runtime (WebSocket, gzip, crypto); the Node and browser entries set it. */
  runtime?: ClientRuntime;
}

/** The environment variables the official SDKs read. */
export type Environment = Record<string, string | undefined>;

/** Connection settings, as the official SDK's `Config`. */
export class Config {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
  readonly httpUrl: string;
  readonly quoteWsUrl: string;
  readonly language: string;
  readonly requestTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly enableRateLimit: boolean;
  readonly runtime: ClientRuntime | undefined;

  constructor(params: ConfigParams) {
    for (const key of ['appKey', 'appSecret', 'accessToken'] as const) {
      if (typeof params[key] !== 'string' || params[key].length === 0) {
        throw new CapflowClientError(`Config: ${key} is required`, { kind: 'usage' });
      }
    }
    this.appKey = params.appKey;
    this.appSecret = params.appSecret;
    this.accessToken = params.accessToken;
    this.httpUrl = (params.httpUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.quoteWsUrl = params.quoteWsUrl ?? defaultQuoteWsUrl(this.httpUrl);
    this.language = params.language ?? 'en';
    this.requestTimeoutMs = params.requestTimeoutMs ?? 10_000;
    this.heartbeatIntervalMs = params.heartbeatIntervalMs ?? 20_000;
    this.reconnectDelayMs = params.reconnectDelayMs ?? 200;
    this.maxReconnectDelayMs = params.maxReconnectDelayMs ?? 10_000;
    this.enableRateLimit = params.enableRateLimit ?? true;
    this.runtime = params.runtime;
  }

  /**
   * From `LONGPORT_APP_KEY`, `LONGPORT_APP_SECRET`, `LONGPORT_ACCESS_TOKEN`, `LONGPORT_HTTP_URL`,
   * `LONGPORT_QUOTE_WS_URL` and `LONGPORT_LANGUAGE` (Node's `process.env` unless given).
   */
  static fromEnv(env?: Environment, extra: Partial<ConfigParams> = {}): Config {
    return new Config({ ...paramsFromEnv(env), ...extra });
  }
}

/** The ConfigParams found in the environment (missing credentials are a usage error). */
export function paramsFromEnv(env: Environment = processEnv()): ConfigParams {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new CapflowClientError(`Config.fromEnv: environment variable ${name} is not set`, { kind: 'usage' });
    return value;
  };
  const params: ConfigParams = {
    appKey: need('LONGPORT_APP_KEY'),
    appSecret: need('LONGPORT_APP_SECRET'),
    accessToken: need('LONGPORT_ACCESS_TOKEN'),
  };
  if (env.LONGPORT_HTTP_URL) params.httpUrl = env.LONGPORT_HTTP_URL;
  if (env.LONGPORT_QUOTE_WS_URL) params.quoteWsUrl = env.LONGPORT_QUOTE_WS_URL;
  if (env.LONGPORT_LANGUAGE) params.language = env.LONGPORT_LANGUAGE;
  return params;
}

function processEnv(): Environment {
  const holder = globalThis as { process?: { env?: Environment } };
  return holder.process?.env ?? {};
}

function defaultQuoteWsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http(s?):/i, 'ws$1:')}/v2`;
}
