import type { Market } from '../../model/market.js';
import { sha256Hex, tokenMatchesHash } from '../../store/credential-crypto.js';
import { CapflowCommand } from '../../protocol/capflow-command.js';
import { ControlCommand, QuoteCommand } from '../../protocol/control-command.js';
import { signaturesEqual } from './request-signature.js';

/** Per-command rate limit: `limit` requests per second, `burst` extra headroom (both >= 1). */
export interface RateLimitRule {
  readonly limit: number;
  readonly burst: number;
}

/** An API credential: what the official SDKs call app key, app secret and access token. */
export interface Credential {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
  /**
   * SHA-256 (hex) of the access token, for credentials kept in the store, which never hold the
   * token itself (their `accessToken` is then empty). Check tokens with `accessTokenMatches`.
   */
  readonly accessTokenSha256?: string;
  /** Permitted markets (quote permissions); CN covers SH and SZ. */
  readonly markets: ReadonlySet<Market>;
  /** Maximum simultaneous connections (the `limit` of token and auth responses). */
  readonly connections: number;
  /** Per command code; commands not listed use DEFAULT_RATE_LIMITS. */
  readonly rateLimits: ReadonlyMap<number, RateLimitRule>;
  /** Epoch ms after which the credential is refused; undefined = never. */
  readonly expiresAt: number | undefined;
  /** May push trades through the HTTP ingest endpoint. */
  readonly ingest: boolean;
  /** Live capital-flow subscriptions across all connections (command 4's subscribe_limit); default 500. */
  readonly subscribeLimit?: number;
  /**
   * Accepts `Authorization: Bearer <access token>` without a signature (OAuth mode). Off by
   * default: without it the token alone would be a full credential.
   */
  readonly bearer?: boolean;
  /** SSE streams open at once (`/api/v1/capital-flow/stream`); default: the server's per-credential default (10). */
  readonly streams?: number;
  /** SHA-256 (hex) of the credential's MCP token, which opens `/mcp` only (see mcp-token.ts); none: no MCP access. */
  readonly mcpTokenSha256?: string;
  /**
   * Names this credential's current secrets (see `credentialGeneration`); set for stored
   * credentials, whose revocation also changes it. Computed from the secrets when absent.
   */
  readonly generation?: string;
}

/**
 * Default per-command limits of the socket commands capflow serves (command 4 advertises them).
 * The public service documents "no more than 10 calls per second"; the burst lets the SDK's
 * start-up sequence (cmd 4, then four cmd 9 calls) and short client bursts through. Auth (2),
 * reconnect (3) and live (un)subscriptions (200, 201) are limited like the queries, so no
 * command of an authenticated client is free of a per-credential bound.
 */
const QUERY_RATE: RateLimitRule = { limit: 10, burst: 20 };
export const DEFAULT_RATE_LIMITS: ReadonlyMap<number, RateLimitRule> = new Map(
  [
    ControlCommand.Auth,
    ControlCommand.Reconnect,
    QuoteCommand.QueryUserQuoteProfile,
    QuoteCommand.Subscription,
    QuoteCommand.Subscribe,
    QuoteCommand.Unsubscribe,
    QuoteCommand.QueryMarketTradePeriod,
    QuoteCommand.QueryMarketTradeDay,
    QuoteCommand.QueryTrade,
    QuoteCommand.QueryCapitalFlowIntraday,
    QuoteCommand.QueryCapitalFlowDistribution,
    CapflowCommand.SubscribeCapitalFlow,
    CapflowCommand.UnsubscribeCapitalFlow,
  ].map((command) => [command, QUERY_RATE]),
);

/**
 * Rate-limit key of the socket-token endpoints (`GET /v1/socket/token` and `/v2/socket/token`
 * share it); outside the command codes 0–255, so command 4 never advertises it. Configured as
 * `"token"` in `rateLimits`.
 */
export const SOCKET_TOKEN_RATE_KEY = 1000;

/** Default limits of HTTP-only buckets (not socket commands). */
const DEFAULT_HTTP_RATE_LIMITS: ReadonlyMap<number, RateLimitRule> = new Map([[SOCKET_TOKEN_RATE_KEY, { limit: 10, burst: 20 }]]);

/** `rateLimits` key → bucket key: a command code 0–255, or `token` (the socket-token endpoints); undefined when neither. */
export function rateLimitKeyOf(text: string): number | undefined {
  if (text === 'token') return SOCKET_TOKEN_RATE_KEY;
  return /^\d{1,3}$/.test(text) && Number(text) <= 255 ? Number(text) : undefined;
}

export const DEFAULT_CONNECTIONS = 10;

export const DEFAULT_SUBSCRIBE_LIMIT = 500;

/** The subscription limit in force for a credential. */
export function subscribeLimitOf(credential: Credential): number {
  return credential.subscribeLimit ?? DEFAULT_SUBSCRIBE_LIMIT;
}

/** The limit in force for a command or HTTP bucket (configured, else the default), or undefined if unlimited. */
export function rateLimitFor(credential: Credential, command: number): RateLimitRule | undefined {
  return credential.rateLimits.get(command) ?? DEFAULT_RATE_LIMITS.get(command) ?? DEFAULT_HTTP_RATE_LIMITS.get(command);
}

/** Every socket command's rate limit in force for a credential (what command 4 advertises), by command. */
export function effectiveRateLimits(credential: Credential): Map<number, RateLimitRule> {
  const limits = new Map(DEFAULT_RATE_LIMITS);
  for (const [command, rule] of credential.rateLimits) if (command <= 255) limits.set(command, rule);
  return new Map([...limits].sort((a, b) => a[0] - b[0]));
}

const generations = new WeakMap<Credential, string>();

/**
 * A short name of the credential's current secrets: it changes when the access token or the app
 * secret changes (a rotation, a new configuration) and, for stored credentials, on revocation.
 * One-time passwords, sessions and stream tokens record the generation they were issued under
 * and are refused under any other, so nothing derived from an old token outlives it. A one-way
 * digest: it never reveals the token or the secret.
 */
export function credentialGeneration(credential: Credential): string {
  if (credential.generation !== undefined) return credential.generation;
  let generation = generations.get(credential);
  if (generation === undefined) {
    generation = generationOf(credential.accessTokenSha256 ?? sha256Hex(credential.accessToken), credential.appSecret, null);
    generations.set(credential, generation);
  }
  return generation;
}

/** The generation of a token hash, an app secret and a revocation time (stored credentials). */
export function generationOf(tokenSha256: string, appSecret: string, revokedAt: number | null): string {
  return sha256Hex(`capflow-generation\u0000${tokenSha256}\u0000${sha256Hex(appSecret)}\u0000${revokedAt ?? ''}`).slice(0, 24);
}

/** Whether the credential may be used at `now` (not expired, not revoked). */
export function usableAt(credential: Credential, now: number): boolean {
  return credential.expiresAt === undefined || credential.expiresAt > now;
}

/** Whether a presented access token is the credential's (constant time). */
export function accessTokenMatches(credential: Credential, token: string): boolean {
  if (credential.accessTokenSha256 !== undefined) return tokenMatchesHash(token, credential.accessTokenSha256);
  return signaturesEqual(token, credential.accessToken);
}

/** Read access to credentials; the embedded default holds those of the config file. */
export interface CredentialRegistry {
  byAppKey(appKey: string): Credential | undefined;
  all(): Credential[];
}

export class InMemoryCredentialRegistry implements CredentialRegistry {
  private readonly byKey = new Map<string, Credential>();

  constructor(credentials: Iterable<Credential>) {
    for (const credential of credentials) this.byKey.set(credential.appKey, credential);
  }

  byAppKey(appKey: string): Credential | undefined {
    return this.byKey.get(appKey);
  }

  all(): Credential[] {
    return [...this.byKey.values()];
  }
}
