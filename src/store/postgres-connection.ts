import pg from 'pg';
import { migratePostgres } from './postgres-schema.js';

/** Where a PostgreSQL-backed capflow keeps its tables: a database and a schema inside it. */
export interface PostgresLocation {
  /** libpq-style URL without capflow's own parameters. */
  readonly connectionString: string;
  /** Schema holding capflow's tables (default `capflow`). */
  readonly schema: string;
  /** The URL's `query_timeout` (ms; 0 = none), when it gives one: overrides the pool's default. */
  readonly queryTimeoutMs?: number;
}

/** How long a query may run before its connection is given up (see openPostgresPool). */
export const DEFAULT_QUERY_TIMEOUT_MS = 15_000;
/** How long getting a connection (from the pool, or a new one) may take. */
export const CONNECT_TIMEOUT_MS = 5_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads `postgres://user@host:port/db?schema=name&query_timeout=ms`: `schema` (default `capflow`)
 * and `query_timeout` are capflow's, everything else goes to the driver unchanged.
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
  const timeoutText = parsed.searchParams.get('query_timeout');
  parsed.searchParams.delete('query_timeout');
  if (timeoutText !== null && !/^\d{1,9}$/.test(timeoutText)) throw new Error(`query_timeout must be a number of milliseconds (0 = none), got ${JSON.stringify(timeoutText)}`);
  return { connectionString: parsed.toString(), schema, ...(timeoutText === null ? {} : { queryTimeoutMs: Number(timeoutText) }) };
}

export interface PostgresPoolBounds {
  /** Query timeout when the URL gives none (default DEFAULT_QUERY_TIMEOUT_MS; 0 = none). */
  readonly queryTimeoutMs?: number;
}

/**
 * A connection pool whose sessions resolve unqualified names in the location's schema, and whose
 * calls never wait for ever on a database that is down or unreachable: getting a connection
 * fails after CONNECT_TIMEOUT_MS, a query after its timeout (its connection is then discarded),
 * and idle connections are probed with TCP keep-alives.
 */
export function openPostgresPool(location: PostgresLocation, max = 10, bounds: PostgresPoolBounds = {}): pg.Pool {
  if (!SCHEMA_NAME.test(location.schema)) throw new Error(`invalid schema name ${JSON.stringify(location.schema)}`);
  const queryTimeoutMs = location.queryTimeoutMs ?? bounds.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max,
    options: `-c search_path=${location.schema}`,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client losing its connection (server restart) must not crash the process: the pool
  // drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  // Nor may a checked-out one (in a transaction, or listening): besides failing its query, a
  // client whose connection dies emits 'error', which would otherwise be an uncaught exception.
  // Whoever holds it sees the failure and releases it; the pool then discards it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** A query with a timeout of its own (the driver honours `query_timeout` per query; its types omit it). */
export function queryWithTimeout(text: string, values: unknown[], timeoutMs: number): pg.QueryConfig {
  return { text, values, query_timeout: timeoutMs } as pg.QueryConfig;
}

/** True for the error of a query that outlived its timeout (its connection is in an unknown state). */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/**
 * Connects (`postgres://…[?schema=name]` or a location) and brings the schema up to date. The
 * migration runs on a connection of its own without a query timeout (rewriting a large table may
 * take long). The pool is ended again when migrating fails, so a failed open leaks no connections.
 */
export async function openMigratedPostgres(
  target: string | PostgresLocation,
  poolSize: number,
  bounds: PostgresPoolBounds = {},
): Promise<{ pool: pg.Pool; location: PostgresLocation; schemaVersion: number }> {
  const location = typeof target === 'string' ? parsePostgresUrl(target) : target;
  const pool = openPostgresPool(location, poolSize, bounds);
  try {
    const client = new pg.Client({
      connectionString: location.connectionString,
      options: `-c search_path=${location.schema}`,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const schemaVersion = await migratePostgres(client, location.schema);
      return { pool, location, schemaVersion };
    } finally {
      await client.end().catch(() => undefined);
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
    client.release(true);
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
    // After a timeout the connection still runs the query: a ROLLBACK would only queue behind
    // it. Discarding the connection ends the transaction (the server rolls it back).
    if (isQueryTimeout(error)) broken = true;
    else {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
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
