import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { bucketCapacity, type CommandRateLimiter, type OtpStore, type RedeemedOtp, type Session, type SessionRegistry } from './gateway-state.js';
import { PostgresConnectionLedger, type PostgresConnectionLedgerOptions } from './postgres-connection-ledger.js';
import { silentLogger, type Logger } from '../../logging/logger.js';

/**
 * What a fleet of gateways must agree on, kept in PostgreSQL (tables `gateway_*` of the store's
 * schema, created by its migrations): one-time passwords, sessions, rate-limit buckets and live
 * connections (postgres-connection-ledger.ts). Any gateway behind one address then accepts a
 * token another issued, resumes a session another created (closing its old connection wherever
 * it is), counts a credential's requests against one bucket and its connections against one
 * limit. Clocks are the gateways' wall
 * clocks (kept in step by NTP), as for the in-memory defaults.
 */
interface Clocked {
  readonly now?: () => number;
  /** Called with failures that cannot be reported to a caller (e.g. a removal). */
  readonly logger?: Logger;
}

/** Deletes expired rows now and then rather than on every write. */
const SWEEP_EVERY = 256;

export class PostgresOtpStore implements OtpStore {
  private issued = 0;
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs: number,
    options: Clocked = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async issue(appKey: string, generation: string): Promise<string> {
    const otp = randomBytes(24).toString('base64url');
    const now = this.now();
    if (++this.issued % SWEEP_EVERY === 0) await this.pool.query('DELETE FROM gateway_otps WHERE expires_ms <= $1', [now]);
    await this.pool.query('INSERT INTO gateway_otps (otp, app_key, generation, expires_ms) VALUES ($1, $2, $3, $4)', [
      otp,
      appKey,
      generation,
      now + this.ttlMs,
    ]);
    return otp;
  }

  /** Single use across the fleet: the DELETE that finds the row is the one redemption. */
  async redeem(otp: string): Promise<RedeemedOtp | undefined> {
    const { rows } = await this.pool.query<{ app_key: string; generation: string; expires_ms: string }>(
      'DELETE FROM gateway_otps WHERE otp = $1 RETURNING app_key, generation, expires_ms',
      [otp],
    );
    const row = rows[0];
    return row && Number(row.expires_ms) > this.now() ? { appKey: row.app_key, generation: row.generation } : undefined;
  }

  /** Rows of other generations only: a gateway that already knows the new one may have issued some. */
  async removeCredential(appKey: string, keepGeneration?: string): Promise<void> {
    await this.pool.query('DELETE FROM gateway_otps WHERE app_key = $1 AND generation IS DISTINCT FROM $2', [appKey, keepGeneration ?? null]);
  }
}

export class PostgresSessionRegistry implements SessionRegistry {
  private created = 0;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs: number,
    options: Clocked = {},
  ) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
  }

  async create(appKey: string, generation: string): Promise<Session> {
    const now = this.now();
    if (++this.created % SWEEP_EVERY === 0) await this.pool.query('DELETE FROM gateway_sessions WHERE expires_ms <= $1', [now]);
    const session: Session = { id: randomBytes(18).toString('base64url'), appKey, generation, expiresAt: now + this.ttlMs };
    await this.pool.query('INSERT INTO gateway_sessions (id, app_key, generation, expires_ms) VALUES ($1, $2, $3, $4)', [
      session.id,
      appKey,
      generation,
      session.expiresAt,
    ]);
    return session;
  }

  async get(id: string): Promise<Session | undefined> {
    const { rows } = await this.pool.query<{ app_key: string; generation: string; expires_ms: string }>(
      'SELECT app_key, generation, expires_ms FROM gateway_sessions WHERE id = $1 AND expires_ms > $2',
      [id, this.now()],
    );
    const row = rows[0];
    return row ? { id, appKey: row.app_key, generation: row.generation, expiresAt: Number(row.expires_ms) } : undefined;
  }

  /** Every session of the credential from another generation, however many (the app-key index finds them). */
  async removeCredential(appKey: string, keepGeneration?: string): Promise<void> {
    await this.pool.query('DELETE FROM gateway_sessions WHERE app_key = $1 AND generation IS DISTINCT FROM $2', [appKey, keepGeneration ?? null]);
  }

  /** Never rejects: callers fire and forget; a failure is logged and the row expires anyway. */
  async remove(id: string): Promise<void> {
    try {
      await this.pool.query('DELETE FROM gateway_sessions WHERE id = $1', [id]);
    } catch (error) {
      this.logger.error({ err: error, session: id }, 'removing session failed');
    }
  }
}

/**
 * Token buckets in one row per (principal, command), refilled and taken by a single atomic
 * UPSERT: concurrent gateways never both spend the last token. A refused request changes nothing.
 * The bucket holds as many tokens as the in-memory one (`bucketCapacity`), so a fleet refuses
 * exactly what a lone gateway would.
 */
export class PostgresRateLimiter implements CommandRateLimiter {
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    options: Clocked = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async tryTake(principal: string, command: number, limit: number, burst: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO gateway_rate_buckets AS b (principal, command, tokens, updated_ms)
       VALUES ($1, $2, $3::float8 - 1, $4::bigint)
       ON CONFLICT (principal, command) DO UPDATE
         SET tokens = LEAST($3::float8, b.tokens + GREATEST(0, $4::bigint - b.updated_ms) * $5::float8 / 1000) - 1,
             updated_ms = GREATEST(b.updated_ms, $4::bigint)
         WHERE LEAST($3::float8, b.tokens + GREATEST(0, $4::bigint - b.updated_ms) * $5::float8 / 1000) >= 1`,
      [principal, command, bucketCapacity(limit, burst), this.now(), limit],
    );
    return rowCount === 1;
  }
}

/**
 * The shared pieces over one pool, as `startCapflowServer` takes them (it starts and stops the
 * connection ledger; a fresh one is a new gateway of the fleet).
 */
export function postgresGatewayState(
  pool: pg.Pool,
  options: Clocked & { readonly otpTtlMs?: number; readonly sessionTtlMs?: number; readonly ledger?: PostgresConnectionLedgerOptions } = {},
): { otps: PostgresOtpStore; sessions: PostgresSessionRegistry; rateLimiter: PostgresRateLimiter; connectionLedger: PostgresConnectionLedger } {
  return {
    otps: new PostgresOtpStore(pool, options.otpTtlMs ?? 5 * 60_000, options),
    sessions: new PostgresSessionRegistry(pool, options.sessionTtlMs ?? 24 * 3_600_000, options),
    rateLimiter: new PostgresRateLimiter(pool, options),
    connectionLedger: new PostgresConnectionLedger(pool, {
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...options.ledger,
    }),
  };
}
