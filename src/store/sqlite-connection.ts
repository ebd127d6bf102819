import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

/** The embedded store's one file in the data directory: trades, credentials and archive together (one file to back up). */
export const SQLITE_FILE_NAME = 'capflow.db';

/**
 * Opens (creating when needed) `capflow.db` in `dataDir` in WAL mode with `synchronous=FULL` (a
 * resolved write survives power loss), writers waiting up to the busy timeout (default 30 s) for
 * another process's lock, then runs `setUp` on it. The file is closed again when `setUp` throws.
 */
export function openSqliteFile<T>(
  dataDir: string,
  busyTimeoutMs: number | undefined,
  setUp: (db: BetterSqlite3.Database, path: string) => T,
): T {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SQLITE_FILE_NAME);
  const db = new Database(path, { timeout: busyTimeoutMs ?? 30_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return setUp(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
}
