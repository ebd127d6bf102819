import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DATA_DIR_LOCK_FILE, takeDataDirExclusively } from '../store/data-dir-lock.js';
import { storedTradeCount } from '../store/sqlite-trade-counts.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';

const DB_FILE = 'capflow.db';
/** Small files of a data directory that belong with the database. */
const SIDE_FILES = ['demo-credential.json'];

const BACKUP_OPTIONS = {
  data: { type: 'string', value: 'DATA_DIR', description: 'the data directory to back up' },
  help: HELP_OPTION,
} as const;

const RESTORE_OPTIONS = {
  data: { type: 'string', value: 'DATA_DIR', description: 'the data directory to restore into' },
  force: { type: 'boolean', default: false, description: 'replace a data directory that already holds data' },
  help: HELP_OPTION,
} as const;

export const BACKUP_COMMAND: CommandSpec = {
  name: 'backup',
  summary: 'write a consistent online backup of the embedded store (a running server may keep serving)',
  usage: ['DIR --data DATA_DIR'],
  description: 'The backup is checked for integrity before the command reports success.',
  options: BACKUP_OPTIONS,
};

export const RESTORE_COMMAND: CommandSpec = {
  name: 'restore',
  summary: 'restore a backup into a data directory (no server may hold it)',
  usage: ['FROM --data DATA_DIR [--force]'],
  options: RESTORE_OPTIONS,
};

/**
 * A consistent copy of a live embedded store through SQLite's online backup API, taken in one
 * step so a server writing meanwhile cannot make it restart or tear; checked before it is kept.
 */
export async function backupDataDir(dataDir: string, target: string): Promise<{ bytes: number; trades: number }> {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) throw new Error(`${source}: no capflow store here`);
  mkdirSync(target, { recursive: true });
  const destination = join(target, DB_FILE);
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 30_000 });
  try {
    // Every remaining page in one step: a step holds a read snapshot, so a concurrent writer can neither
    // tear the copy nor make it restart forever.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const check = new Database(partial, { readonly: true });
  let trades: number;
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`the backup failed its integrity check: ${String(result)}`);
    trades = storedTradeCount(check);
  } finally {
    check.close();
  }
  renameSync(partial, destination);
  for (const name of SIDE_FILES) if (existsSync(join(dataDir, name))) copyFileSync(join(dataDir, name), join(target, name));
  writeFileSync(
    join(target, 'capflow-backup.json'),
    `${JSON.stringify({ createdAt: new Date().toISOString(), source: resolve(dataDir), trades }, null, 2)}\n`,
  );
  return { bytes: statSync(destination).size, trades };
}

/**
 * Puts a backup in place as a data directory's store; refuses a non-empty directory unless forced,
 * and always refuses a directory in use by a running `capflow serve` or `capflow ingest` (which
 * would go on writing to the replaced store: writes acknowledged after the restore would be lost).
 */
export function restoreDataDir(from: string, dataDir: string, force: boolean): { trades: number } {
  const source = join(from, DB_FILE);
  if (!existsSync(source)) throw new Error(`${source}: not a capflow backup (no ${DB_FILE})`);
  const check = new Database(source, { readonly: true, fileMustExist: true });
  let trades: number;
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`${source} failed its integrity check: ${String(result)}`);
    trades = storedTradeCount(check);
  } finally {
    check.close();
  }
  mkdirSync(dataDir, { recursive: true });
  // Held until the store is in place: a server or ingest starting meanwhile waits, then sees the restored store.
  const lock = takeDataDirExclusively(dataDir);
  try {
    const present = readdirSync(dataDir).filter((name) => name !== DATA_DIR_LOCK_FILE);
    if (present.length > 0 && !force) {
      throw new Error(`${dataDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); pass --force to replace its store`);
    }
    const destination = join(dataDir, DB_FILE);
    const partial = `${destination}.restoring`;
    copyFileSync(source, partial);
    // A stale write-ahead log of the replaced database must never be replayed onto the restored one.
    for (const stale of [`${destination}-wal`, `${destination}-shm`, `${destination}-journal`]) rmSync(stale, { force: true });
    renameSync(partial, destination);
    for (const name of SIDE_FILES) if (existsSync(join(from, name))) copyFileSync(join(from, name), join(dataDir, name));
  } finally {
    lock.release();
  }
  return { trades };
}

export async function runBackupCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: BACKUP_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr.write(`capflow backup: ${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(commandHelp(BACKUP_COMMAND));
    return 0;
  }
  if (!parsed.values.data || parsed.positionals.length !== 1) {
    io.stderr.write(`capflow backup: expected one target DIR and --data DATA_DIR\n${commandHelp(BACKUP_COMMAND)}`);
    return 2;
  }
  try {
    const result = await backupDataDir(resolve(parsed.values.data), resolve(parsed.positionals[0]!));
    io.stdout.write(`backup written to ${resolve(parsed.positionals[0]!)}: ${result.trades} trades, ${result.bytes} bytes, integrity ok\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`capflow backup: ${(error as Error).message}\n`);
    return 1;
  }
}

export async function runRestoreCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: RESTORE_OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr.write(`capflow restore: ${(error as Error).message}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout.write(commandHelp(RESTORE_COMMAND));
    return 0;
  }
  if (!parsed.values.data || parsed.positionals.length !== 1) {
    io.stderr.write(`capflow restore: expected one backup directory FROM and --data DATA_DIR\n${commandHelp(RESTORE_COMMAND)}`);
    return 2;
  }
  try {
    const result = restoreDataDir(resolve(parsed.positionals[0]!), resolve(parsed.values.data), parsed.values.force);
    io.stdout.write(`restored ${result.trades} trades into ${resolve(parsed.values.data)}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`capflow restore: ${(error as Error).message}\n`);
    return 1;
  }
}
