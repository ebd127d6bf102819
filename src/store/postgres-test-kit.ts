/**
 * Test helpers for the tests that need the machine's PostgreSQL (and NATS). They run against
 * 127.0.0.1 by default; each test gets its own schema, dropped afterwards. With
 * CAPFLOW_SKIP_SERVICES=1 such tests are skipped with a message; otherwise an unreachable
 * service makes them fail (CI starts the services first, see .ci/run).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier } from './postgres-schema.js';

export const POSTGRES_TEST_URL = process.env['CAPFLOW_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_TEST_URL = process.env['CAPFLOW_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** The `skip` option of a describe that needs PostgreSQL / NATS: a reason, or false to run. */
export const SERVICES_SKIPPED: string | false =
  process.env['CAPFLOW_SKIP_SERVICES'] === '1'
    ? 'CAPFLOW_SKIP_SERVICES=1: skipping a test that needs PostgreSQL at 127.0.0.1:5432 / NATS JetStream at 127.0.0.1:4222'
    : false;

/** A name no other test run uses (schemas, streams, subject prefixes). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** `POSTGRES_TEST_URL` pointed at a schema. */
export function postgresUrlWithSchema(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Drops test schemas (with everything in them). */
export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const names = [...schemas];
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    for (const schema of names) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}
