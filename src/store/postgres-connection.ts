import pg from 'pg';

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
