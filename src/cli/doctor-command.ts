import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { dateToDayNumber, dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import { allCalendars } from '../calendar/trading-calendar.js';
import { SQLITE_SCHEMA_VERSION } from '../store/sqlite-schema.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';
import { diagnosePostgres } from './postgres-doctor.js';
import { storedTradesPerDay } from '../store/sqlite-trade-counts.js';
import { isSharedStoreUrl } from './scale-out-adapters.js';

export type FindingLevel = 'ok' | 'warning' | 'error';

export interface Finding {
  readonly level: FindingLevel;
  readonly check: string;
  readonly message: string;
}


/** How far ahead calendar coverage must reach without a warning (days). */
const DEFAULT_HORIZON_DAYS = 60;

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Checks a data directory: SQLite integrity, schema version, trade counts against the per-day
 * summary table (and the retention archive), calendar coverage of the coming days, and secrets
 * stored in plain text. Read-only: safe while a server runs.
 */
export function diagnose(dataDir: string, now: number = Date.now(), horizonDays = DEFAULT_HORIZON_DAYS): Finding[] {
  const findings: Finding[] = [];
  const path = join(dataDir, 'capflow.db');
  if (!existsSync(path)) return [{ level: 'error', check: 'store', message: `${path} does not exist` }];
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 30_000 });
  try {
    const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = integrity.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    findings.push(
      problems.length === 0
        ? { level: 'ok', check: 'integrity', message: 'PRAGMA integrity_check: ok' }
        : { level: 'error', check: 'integrity', message: `PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}` },
    );
    const version = tableExists(db, 'schema_version') ? (db.prepare('SELECT version FROM schema_version').pluck().get() as number | undefined) : undefined;
    if (version === SQLITE_SCHEMA_VERSION) findings.push({ level: 'ok', check: 'schema', message: `schema version ${version}` });
    else if (version !== undefined && version > SQLITE_SCHEMA_VERSION) findings.push({ level: 'error', check: 'schema', message: `schema version ${version} is newer than this capflow (${SQLITE_SCHEMA_VERSION}); upgrade capflow` });
    else findings.push({ level: 'warning', check: 'schema', message: `schema version ${version ?? 'missing'}; the next \`serve\` or \`ingest\` migrates it to ${SQLITE_SCHEMA_VERSION}` });
    if ((tableExists(db, 'trades') || tableExists(db, 'trade_blocks')) && tableExists(db, 'symbol_days')) findings.push(...checkCounts(db));
    findings.push(...checkSecrets(db));
  } finally {
    db.close();
  }
  findings.push(...checkCalendars(now, horizonDays));
  return findings;
}

function checkCounts(db: Database.Database): Finding[] {
  type Row = { symbol: string; date: string; trades: number };
  return compareDayCounts(
    db.prepare('SELECT symbol, date, trades FROM symbol_days').all() as Row[],
    storedTradesPerDay(db),
    tableExists(db, 'archived_days') ? (db.prepare('SELECT symbol, date, trades FROM archived_days').all() as Row[]) : [],
  );
}

/**
 * The `counts` check of any store: each summary row (`symbol_days`) against the raw trades
 * counted per symbol-day, or, for a day retention trimmed, against the count it archived.
 */
export function compareDayCounts(
  summary: ReadonlyArray<{ symbol: string; date: string; trades: number }>,
  rawRows: ReadonlyArray<{ symbol: string; date: string; trades: number }>,
  archivedRows: ReadonlyArray<{ symbol: string; date: string; trades: number }>,
): Finding[] {
  const actual = new Map(rawRows.map((row) => [`${row.symbol} ${row.date}`, row.trades]));
  const archived = new Map(archivedRows.map((row) => [`${row.symbol} ${row.date}`, row.trades]));
  const mismatches: string[] = [];
  let days = 0;
  let total = 0;
  for (const row of summary) {
    days++;
    total += row.trades;
    const key = `${row.symbol} ${row.date}`;
    const raw = actual.get(key) ?? 0;
    actual.delete(key);
    const expected = archived.has(key) && raw === 0 ? archived.get(key)! : raw;
    if (expected !== row.trades) mismatches.push(`${key}: summary says ${row.trades}, found ${expected}${archived.has(key) ? ' (archived)' : ''}`);
  }
  for (const [key, count] of actual) mismatches.push(`${key}: ${count} trades without a summary row`);
  if (mismatches.length > 0) {
    return [{ level: 'error', check: 'counts', message: `${mismatches.length} day(s) disagree with the summary table: ${mismatches.slice(0, 5).join('; ')}` }];
  }
  return [{ level: 'ok', check: 'counts', message: `${days} symbol-days, ${total} trades, consistent with the summary table (${archived.size} archived by retention)` }];
}

function checkSecrets(db: Database.Database): Finding[] {
  if (!tableExists(db, 'credentials')) return [];
  return plainSecretFindings(db.prepare("SELECT app_key FROM credentials WHERE revoked_at IS NULL AND sealed_secret LIKE 'plain:%' ORDER BY app_key").pluck().all() as string[]);
}

/** The `secrets` check: active stored credentials whose app secret is not encrypted. */
export function plainSecretFindings(plain: readonly string[]): Finding[] {
  if (plain.length === 0) return [{ level: 'ok', check: 'secrets', message: 'stored app secrets are encrypted' }];
  return [
    {
      level: 'warning',
      check: 'secrets',
      message: `${plain.length} stored app secret(s) in plain text (${plain.slice(0, 5).join(', ')}): set CAPFLOW_SECRET_KEY and run \`capflow credentials rotate\``,
    },
  ];
}

/** Warns when a market's calendar data ends within the horizon, or when it holds projected (unofficial) dates ahead. */
export function checkCalendars(now: number, horizonDays = DEFAULT_HORIZON_DAYS): Finding[] {
  const findings: Finding[] = [];
  for (const calendar of allCalendars()) {
    const today = dayNumberToDate(localDayNumber(calendar.market, now));
    const horizon = dayNumberToDate(dateToDayNumber(today) + horizonDays);
    const coverage = calendar.coverage();
    const lastCovered = `${coverage.lastYear}-12-31`;
    const ahead = coverage.projected.filter((date) => date >= today).sort();
    if (lastCovered < horizon) {
      findings.push({
        level: 'warning',
        check: 'calendar',
        message: `${calendar.market}: calendar data ends ${lastCovered}${lastCovered < today ? ' (already past: every weekday is guessed as a full day)' : `, within ${horizonDays} days`}; update capflow for the next year's holidays`,
      });
    } else if (ahead.length > 0) {
      const soon = ahead.filter((date) => date <= horizon);
      findings.push({
        level: 'warning',
        check: 'calendar',
        message: `${calendar.market}: ${ahead.length} projected (not yet officially published) date(s) ahead, first ${ahead[0]}${soon.length > 0 ? `, ${soon.length} within ${horizonDays} days` : ''}`,
      });
    } else {
      findings.push({ level: 'ok', check: 'calendar', message: `${calendar.market}: covered through ${lastCovered}` });
    }
  }
  return findings;
}

const DOCTOR_OPTIONS = {
  data: { type: 'string', value: 'DIR', description: 'the data directory to check' },
  store: { type: 'string', value: 'postgres://…', description: "instead of --data: check a fleet's PostgreSQL store" },
  days: { type: 'string', default: String(DEFAULT_HORIZON_DAYS), value: 'N', description: 'warn when a market\'s bundled calendar ends within N days' },
  json: { type: 'boolean', default: false, description: 'print the findings as JSON' },
  help: HELP_OPTION,
} as const;

export const DOCTOR_COMMAND: CommandSpec = {
  name: 'doctor',
  summary: 'check a store: integrity, schema version, trade counts, calendar coverage, plain-text secrets',
  usage: ['(--data DIR | --store postgres://…) [--days N] [--json]'],
  description: 'Exits 1 when it finds an error, 0 otherwise (warnings included).',
  options: DOCTOR_OPTIONS,
};
const DOCTOR_USAGE = commandHelp(DOCTOR_COMMAND);

export async function runDoctorCommand(argv: string[], io: CliIo, now: () => number = Date.now): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: DOCTOR_OPTIONS,
      strict: true,
    }).values;
  } catch (error) {
    io.stderr.write(`capflow doctor: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return 0;
  }
  const shared = isSharedStoreUrl(values.store);
  if ((!values.data && !shared) || (values.store !== undefined && !shared) || !/^\d{1,4}$/.test(values.days)) {
    io.stderr.write(`capflow doctor: --data DIR or --store postgres://… is required and --days must be a whole number\n${DOCTOR_USAGE}`);
    return 2;
  }
  const findings = shared
    ? await diagnosePostgres(values.store!, now(), Number(values.days))
    : diagnose(resolve(values.data!), now(), Number(values.days));
  if (values.json) io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  else for (const finding of findings) io.stdout.write(`${finding.level.toUpperCase().padEnd(7)} ${finding.check.padEnd(9)} ${finding.message}\n`);
  // Exit 1 on an error; warnings alone still exit 0 so monitoring can tell them apart from failures.
  return findings.some((finding) => finding.level === 'error') ? 1 : 0;
}
