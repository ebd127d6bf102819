import type { Market } from '../../model/market.js';
import { tokenMatchesHash } from '../../store/credential-crypto.js';
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
}

/**
 * Default per-command limits of the quote commands capflow serves. The public service documents
 * "no more than 10 calls per second"; the burst lets the SDK's start-up sequence (cmd 4, then four
 * cmd 9 calls) and short client bursts through.
 */
export const DEFAULT_RATE_LIMITS: ReadonlyMap<number, RateLimitRule> = new Map([
  [4, { limit: 10, burst: 20 }],
  [5, { limit: 10, burst: 20 }],
  [6, { limit: 10, burst: 20 }],
  [7, { limit: 10, burst: 20 }],
  [8, { limit: 10, burst: 20 }],
  [9, { limit: 10, burst: 20 }],
  [17, { limit: 10, burst: 20 }],
  [24, { limit: 10, burst: 20 }],
  [25, { limit: 10, burst: 20 }],
]);

export const DEFAULT_CONNECTIONS = 10;

export const DEFAULT_SUBSCRIBE_LIMIT = 500;

/** The subscription limit in force for a credential. */
export function subscribeLimitOf(credential: Credential): number {
  return credential.subscribeLimit ?? DEFAULT_SUBSCRIBE_LIMIT;
}

/** The limit in force for a command (configured, else the default), or undefined if unlimited. */
export function rateLimitFor(credential: Credential, command: number): RateLimitRule | undefined {
  return credential.rateLimits.get(command) ?? DEFAULT_RATE_LIMITS.get(command);
}

/** Every rate limit in force for a credential (what command 4 advertises), by command. */
export function effectiveRateLimits(credential: Credential): Map<number, RateLimitRule> {
  const limits = new Map(DEFAULT_RATE_LIMITS);
  for (const [command, rule] of credential.rateLimits) limits.set(command, rule);
  return new Map([...limits].sort((a, b) => a[0] - b[0]));
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
