import pg from 'pg';
import { parsePostgresUrl } from '../store/postgres-connection.js';
import { POSTGRES_SCHEMA_VERSION, quoteIdentifier } from '../store/postgres-schema.js';
import { checkCalendars, compareDayCounts, plainSecretFindings, type Finding } from './doctor-command.js';

type DayCount = { symbol: string; date: string; trades: number };

/**
 * `capflow doctor --store postgres://…`: the schema version, every day's trade count against
 * `symbol_days` (and the retention archive), plain-text app secrets and calendar coverage.
 * Read-only (it never migrates), so it is safe while gateways and workers run; the count check
 * reads every trade once, so run it off-peak on a large store.
 */
export async function diagnosePostgres(url: string, now: number, horizonDays: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  let client: pg.Client | undefined;
  try {
    const location = parsePostgresUrl(url);
    client = new pg.Client({ connectionString: location.connectionString, options: `-c search_path=${location.schema}` });
    client.on('error', () => undefined);
    await client.connect();
    findings.push(...(await checkSchema(client, location.schema)));
  } catch (error) {
    findings.push({ level: 'error', check: 'store', message: `cannot read the PostgreSQL store: ${(error as Error).message}` });
  } finally {
    await client?.end().catch(() => undefined);
  }
  findings.push(...checkCalendars(now, horizonDays));
  return findings;
}

async function checkSchema(client: pg.Client, schema: string): Promise<Finding[]> {
  const exists = async (table: string): Promise<boolean> =>
    (await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${quoteIdentifier(schema)}.${table}`])).rows[0]?.found != null;
  if (!(await exists('schema_version'))) {
    return [{ level: 'error', check: 'schema', message: `schema ${schema} has no capflow tables (start a gateway or worker, or run \`capflow ingest --store\`, to create them)` }];
  }
  const findings: Finding[] = [];
  const version = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0]?.version;
  if (version === POSTGRES_SCHEMA_VERSION) findings.push({ level: 'ok', check: 'schema', message: `schema ${schema}, version ${version}` });
  else if (version !== undefined && version > POSTGRES_SCHEMA_VERSION) findings.push({ level: 'error', check: 'schema', message: `schema version ${version} is newer than this capflow (${POSTGRES_SCHEMA_VERSION}); upgrade capflow` });
  else findings.push({ level: 'warning', check: 'schema', message: `schema version ${version ?? 'missing'}; the next gateway, worker or ingest migrates it to ${POSTGRES_SCHEMA_VERSION}` });
  const counts = async (sql: string): Promise<DayCount[]> =>
    (await client.query<{ symbol: string; date: string; trades: string }>(sql)).rows.map((row) => ({ symbol: row.symbol, date: row.date, trades: Number(row.trades) }));
  if ((await exists('trades')) && (await exists('symbol_days'))) {
    findings.push(
      ...compareDayCounts(
        await counts('SELECT symbol, date::text AS date, trades FROM symbol_days'),
        await counts('SELECT symbol, date::text AS date, count(*) AS trades FROM trades GROUP BY symbol, date'),
        (await exists('archived_days')) ? await counts('SELECT symbol, date::text AS date, trades FROM archived_days') : [],
      ),
    );
  }
  if (await exists('credentials')) {
    const { rows } = await client.query<{ app_key: string }>(
      `SELECT app_key FROM credentials WHERE revoked_at IS NULL AND sealed_secret LIKE 'plain:%' ORDER BY app_key COLLATE "C"`,
    );
    findings.push(...plainSecretFindings(rows.map((row) => row.app_key)));
  }
  return findings;
}
