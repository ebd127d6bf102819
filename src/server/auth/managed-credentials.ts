import { randomBytes } from 'node:crypto';
import { isMarket, type Market } from '../../model/market.js';
import { openSecret, sealSecret, sha256Hex } from '../../store/credential-crypto.js';
import type { CredentialRecord } from '../../store/credential-store.js';
import { DEFAULT_CONNECTIONS, generationOf, type Credential, type RateLimitRule } from './credential.js';
import { newMcpToken } from './mcp-token.js';

/** What `capflow credentials add` prints once: the only time the secret and token are shown. */
export interface IssuedCredential {
  readonly record: CredentialRecord;
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
  /** The MCP token (opens `/mcp` only), when one was issued. */
  readonly mcpToken?: string;
}

export interface NewCredentialOptions {
  appKey?: string;
  markets: readonly Market[];
  connections?: number;
  expiresAt?: number | undefined;
  ingest?: boolean;
  rateLimits?: Readonly<Record<string, RateLimitRule>>;
  /** Accept `Authorization: Bearer <token>` without a signature (OAuth mode); off by default. */
  bearer?: boolean;
  /** SSE streams open at once (default: the server's). */
  streams?: number;
  /** Issue an MCP token too (`--mcp-token`). */
  mcpToken?: boolean;
}

function freshSecrets(): { appSecret: string; accessToken: string } {
  return { appSecret: randomBytes(32).toString('hex'), accessToken: `cf_${randomBytes(32).toString('base64url')}` };
}

/** A new credential: random secret and token; the record keeps the token's hash and the sealed secret. */
export function issueCredential(options: NewCredentialOptions, key: Buffer | undefined, now: number): IssuedCredential {
  const appKey = options.appKey ?? `cf${randomBytes(12).toString('hex')}`;
  const { appSecret, accessToken } = freshSecrets();
  const mcpToken = options.mcpToken === true ? newMcpToken() : undefined;
  const record: CredentialRecord = {
    appKey,
    sealedSecret: sealSecret(appSecret, key),
    tokenSha256: sha256Hex(accessToken),
    markets: [...options.markets],
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    rateLimits: { ...(options.rateLimits ?? {}) },
    expiresAt: options.expiresAt ?? null,
    ingest: options.ingest ?? false,
    bearer: options.bearer ?? false,
    streams: options.streams ?? null,
    mcpTokenSha256: mcpToken === undefined ? null : sha256Hex(mcpToken),
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  };
  return { record, appKey, appSecret, accessToken, ...(mcpToken === undefined ? {} : { mcpToken }) };
}

/**
 * The same app key with a new secret and token; the old ones stop working. A credential with an
 * MCP token (or `withMcpToken`) gets a new one: a rotation ends everything derived from the old secrets.
 */
export function rotateCredential(
  record: CredentialRecord,
  key: Buffer | undefined,
  now: number,
  expiresAt: number | null = record.expiresAt,
  withMcpToken = false,
): IssuedCredential {
  const { appSecret, accessToken } = freshSecrets();
  const mcpToken = withMcpToken || (record.mcpTokenSha256 ?? null) !== null ? newMcpToken() : undefined;
  return {
    record: {
      ...record,
      sealedSecret: sealSecret(appSecret, key),
      tokenSha256: sha256Hex(accessToken),
      mcpTokenSha256: mcpToken === undefined ? null : sha256Hex(mcpToken),
      expiresAt,
      updatedAt: now,
    },
    appKey: record.appKey,
    appSecret,
    accessToken,
    ...(mcpToken === undefined ? {} : { mcpToken }),
  };
}

export function revokeCredential(record: CredentialRecord, now: number): CredentialRecord {
  return { ...record, revokedAt: record.revokedAt ?? now, updatedAt: now };
}

/**
 * The server's view of a stored credential. A revoked credential stays known (so it is refused
 * with 403 / 403001 "expired or revoked", not 401 "unknown"): its expiry becomes the revocation.
 */
export function credentialFromRecord(record: CredentialRecord, key: Buffer | undefined): Credential {
  const ends = [record.expiresAt, record.revokedAt].filter((value): value is number => value !== null);
  const appSecret = openSecret(record.sealedSecret, key);
  return {
    appKey: record.appKey,
    appSecret,
    accessToken: '',
    accessTokenSha256: record.tokenSha256,
    markets: new Set(record.markets.filter(isMarket)),
    connections: record.connections,
    rateLimits: new Map(Object.entries(record.rateLimits).map(([command, rule]) => [Number(command), { limit: rule.limit, burst: rule.burst }])),
    expiresAt: ends.length === 0 ? undefined : Math.min(...ends),
    ingest: record.ingest,
    ...(record.bearer === true ? { bearer: true } : {}),
    ...(record.streams === undefined || record.streams === null ? {} : { streams: record.streams }),
    ...(record.mcpTokenSha256 === undefined || record.mcpTokenSha256 === null ? {} : { mcpTokenSha256: record.mcpTokenSha256 }),
    // A revocation changes the generation too: nothing issued before it can ever be used again.
    generation: generationOf(record.tokenSha256, appSecret, record.revokedAt),
  };
}

/** `active`, `revoked` or `expired` at `now` (wall clock). */
export function credentialStatus(record: CredentialRecord, now: number): 'active' | 'revoked' | 'expired' {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  return 'active';
}

/** Parses `--expires`: a duration (`90d`, `12h`, `30m`, `45s`) from now, or an ISO date / instant with offset. */
export function parseExpiry(text: string, now: number): number | undefined {
  const duration = /^(\d{1,6})([smhd])$/.exec(text);
  if (duration) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return now + Number(duration[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}(T.*(Z|[+-]\d{2}:\d{2}))?$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
