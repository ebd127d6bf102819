import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The lock file of a data directory: an empty SQLite database used only for its file locks (the
 * operating system's fcntl / LockFileEx locks, which die with their process, so a `kill -9` never
 * leaves the directory locked, and which a reused pid cannot fool).
 */
export const DATA_DIR_LOCK_FILE = 'capflow.lock';

/** The data directory is used by another process in a way that excludes this one. */
export class DataDirBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirBusyError';
  }
}

/** A held lock of a data directory; released by `release()` or when the process ends, however it ends. */
export interface DataDirLock {
  release(): void;
}

/**
 * Marks `dataDir` as in use for as long as the lock is held: any number of processes may hold
 * it at once (a server and an ingest side by side), and none may while a restore replaces the
 * store. Waits up to `waitMs` for a restore to finish, then throws DataDirBusyError.
 */
export function holdDataDir(dataDir: string, waitMs = 5_000): DataDirLock {
  return lockWith(dataDir, waitMs, `${dataDir} is being restored by \`capflow restore\`; try again once it has finished`, (db) => {
    // A read inside an open transaction holds SQLite's SHARED lock until the transaction ends.
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  });
}

/**
 * Takes `dataDir` for this process alone (a restore), at once or not at all: throws
 * DataDirBusyError while any other capflow process holds it (see holdDataDir).
 */
export function takeDataDirExclusively(dataDir: string): DataDirLock {
  return lockWith(dataDir, 0, `${dataDir} is in use by a running capflow (serve, ingest or credentials); stop it first`, (db) => {
    db.exec('BEGIN EXCLUSIVE');
  });
}

/** Opens the lock file and takes the lock with `take`; SQLITE_BUSY becomes DataDirBusyError(busyMessage). */
function lockWith(dataDir: string, waitMs: number, busyMessage: string, take: (db: Database.Database) => void): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATA_DIR_LOCK_FILE), { timeout: waitMs });
  try {
    // Rollback journal (never WAL, where readers do not exclude a writer), kept in memory: nothing
    // is ever written, and no journal file appears beside the lock.
    db.pragma('journal_mode = MEMORY');
    take(db);
  } catch (error) {
    db.close();
    throw busyOr(error, busyMessage);
  }
  return {
    release: () => {
      if (db.open) db.close(); // closing ends the transaction and its lock
    },
  };
}

function busyOr(error: unknown, message: string): Error {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' ? new DataDirBusyError(message) : (error as Error);
}
