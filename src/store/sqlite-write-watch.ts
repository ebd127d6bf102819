import { watch, type FSWatcher } from 'node:fs';

/** The embedded store's files whose change means a commit (the database and its write-ahead log). */
const STORE_FILES = new Set(['capflow.db', 'capflow.db-wal']);

/**
 * Calls `onWrite` soon after any process commits to the embedded store of `dataDir` (a file
 * watch on its database and write-ahead log), at most once per `minIntervalMs` (default 5 ms).
 * It only hastens a reader's poll: events may be merged, late or (on some file systems) absent,
 * so the caller keeps polling as well. Returns the function that stops watching.
 */
export function watchStoreWrites(dataDir: string, onWrite: () => void, options: { minIntervalMs?: number } = {}): () => void {
  const minIntervalMs = options.minIntervalMs ?? 5;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastAt = 0;
  let watcher: FSWatcher | undefined;
  const fire = (): void => {
    timer = undefined;
    lastAt = Date.now();
    onWrite();
  };
  try {
    watcher = watch(dataDir, { persistent: false }, (_event, file) => {
      if (file !== null && !STORE_FILES.has(String(file))) return;
      if (timer) return;
      timer = setTimeout(fire, Math.max(0, lastAt + minIntervalMs - Date.now()));
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No file watching here: polling alone picks the writes up.
  }
  return () => {
    watcher?.close();
    if (timer) clearTimeout(timer);
  };
}
