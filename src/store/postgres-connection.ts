import pg from 'pg';
import { migratePostgres } from './postgres-schema.js';

/** Where a PostgreSQL-backed capflow keeps its tables: a database and a schema inside it. */
export interface PostgresLocation {
  /** libpq-style URL without capflow's own parameters. */
  readonly connectionString: string;
  /** Schema holding capflow's tables (default `capflow`). */
  readonly schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads `postgres://user@host:port/db?schema=name`: the `schema` parameter is capflow's (default
 * `capflow`), everything else goes to the driver unchanged.
 */
export function parsePostgresUrl(url: string, defaultSchema = 'capflow'): PostgresLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a PostgreSQL URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`not a PostgreSQL URL (postgres://…): ${JSON.stringify(url)}`);
  }
  const schema = parsed.searchParams.get('schema') ?? defaultSchema;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema must match ${SCHEMA_NAME.source}, got ${JSON.stringify(schema)}`);
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** A connection pool whose sessions resolve unqualified names in the location's schema. */
export function openPostgresPool(location: PostgresLocation, max = 10): pg.Pool {
  if (!SCHEMA_NAME.test(location.schema)) throw new Error(`invalid schema name ${JSON.stringify(location.schema)}`);
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max,
    options: `-c search_path=${location.schema}`,
  });
  // An idle client losing its connection (server restart) must not crash the process: the pool
  // drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Connects (`postgres://…[?schema=name]` or a location) and brings the schema up to date. The
 * pool is ended again when migrating fails, so a failed open leaks no connections.
 */
export async function openMigratedPostgres(
  target: string | PostgresLocation,
  poolSize: number,
): Promise<{ pool: pg.Pool; location: PostgresLocation; schemaVersion: number }> {
  const location = typeof target === 'string' ? parsePostgresUrl(target) : target;
  const pool = openPostgresPool(location, poolSize);
  try {
    const client = await pool.connect();
    try {
      const schemaVersion = await migratePostgres(client, location.schema);
      return { pool, location, schemaVersion };
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Runs `work` in a transaction on a client of the pool: committed when it resolves, rolled back when it throws. */
export async function inPostgresTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
  } catch (error) {
    client.release();
    throw error;
  }
  return finishPostgresTransaction(client, () => work(client));
}

/**
 * Finishes the transaction open on `client`: runs `work` and commits, or rolls back when it (or
 * the commit) throws. The client then goes back to the pool, or is discarded when even the
 * rollback failed (its connection is in an unknown state).
 */
export async function finishPostgresTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  let broken = false;
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Rolls back the transaction open on `client` and returns it to the pool (discarded when the rollback failed). */
export async function rollbackPostgresTransaction(client: pg.PoolClient): Promise<void> {
  let broken = false;
  await client.query('ROLLBACK').catch(() => {
    broken = true;
  });
  client.release(broken);
}
