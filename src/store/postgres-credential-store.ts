import type pg from 'pg';
import { DuplicateAppKeyError, type CredentialRecord, type CredentialStore } from './credential-store.js';
import { inPostgresTransaction, openMigratedPostgres, type PostgresLocation } from './postgres-connection.js';

interface CredentialRow {
  app_key: string;
  sealed_secret: string;
  token_sha256: string;
  markets: string[];
  connections: number;
  rate_limits: CredentialRecord['rateLimits'];
  expires_at: string | null;
  ingest: boolean;
  bearer: boolean;
  streams: number | null;
  mcp_token_sha256: string | null;
  created_at: string;
  updated_at: string;
  revoked_at: string | null;
}

const nullableNumber = (value: string | null): number | null => (value === null ? null : Number(value));

function fromRow(row: CredentialRow): CredentialRecord {
  return {
    appKey: row.app_key,
    sealedSecret: row.sealed_secret,
    tokenSha256: row.token_sha256,
    markets: row.markets,
    connections: row.connections,
    rateLimits: row.rate_limits,
    expiresAt: nullableNumber(row.expires_at),
    ingest: row.ingest,
    bearer: row.bearer,
    streams: row.streams,
    mcpTokenSha256: row.mcp_token_sha256,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    revokedAt: nullableNumber(row.revoked_at),
  };
}

/** The fields after the app key, as query parameters $2…$14. */
function fieldParams(record: CredentialRecord): unknown[] {
  return [
    record.sealedSecret,
    record.tokenSha256,
    JSON.stringify(record.markets),
    record.connections,
    JSON.stringify(record.rateLimits),
    record.expiresAt,
    record.ingest,
    record.bearer === true,
    record.streams ?? null,
    record.createdAt,
    record.updatedAt,
    record.revokedAt,
    record.mcpTokenSha256 ?? null,
  ];
}

/**
 * Credentials of a fleet, in the PostgreSQL schema of its trades (tables of migration 4). Each
 * write and the bump of `credential_revision` commit in one transaction, so a gateway polling the
 * revision never sees a change without its row, and a `capflow credentials revoke` run anywhere
 * reaches every gateway of the schema within its poll interval.
 */
export class PostgresCredentialStore implements CredentialStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: PostgresLocation,
  ) {}

  /** Connects (`postgres://…[?schema=name]` or a location) and brings the schema up to date. */
  static async open(target: string | PostgresLocation, options: { poolSize?: number } = {}): Promise<PostgresCredentialStore> {
    const { pool, location } = await openMigratedPostgres(target, options.poolSize ?? 2);
    return new PostgresCredentialStore(pool, location);
  }

  async insert(record: CredentialRecord): Promise<void> {
    await this.write(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO credentials (app_key, sealed_secret, token_sha256, markets, connections, rate_limits, expires_at, ingest, bearer, streams, created_at, updated_at, revoked_at, mcp_token_sha256)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (app_key) DO NOTHING`,
        [record.appKey, ...fieldParams(record)],
      );
      if (rowCount === 0) throw new DuplicateAppKeyError(record.appKey);
      return true;
    });
  }

  async replace(record: CredentialRecord): Promise<boolean> {
    return this.write(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE credentials SET sealed_secret = $2, token_sha256 = $3, markets = $4::jsonb, connections = $5, rate_limits = $6::jsonb,
           expires_at = $7, ingest = $8, bearer = $9, streams = $10, created_at = $11, updated_at = $12, revoked_at = $13, mcp_token_sha256 = $14 WHERE app_key = $1`,
        [record.appKey, ...fieldParams(record)],
      );
      return rowCount !== 0;
    });
  }

  async list(): Promise<CredentialRecord[]> {
    const { rows } = await this.pool.query<CredentialRow>('SELECT * FROM credentials ORDER BY app_key COLLATE "C"');
    return rows.map(fromRow);
  }

  async revision(): Promise<number> {
    const { rows } = await this.pool.query<{ revision: string }>('SELECT revision FROM credential_revision');
    return Number(rows[0]?.revision ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs a write and, when it changed a row (returned true), bumps the revision in the same transaction. */
  private async write(change: (client: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
    return inPostgresTransaction(this.pool, async (client) => {
      const changed = await change(client);
      if (changed) await client.query('UPDATE credential_revision SET revision = revision + 1');
      return changed;
    });
  }
}
