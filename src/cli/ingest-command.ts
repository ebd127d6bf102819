import { basename } from 'node:path';
import { ingestFile, type IngestProgress, type IngestSummary } from '../ingest/index.js';
import { formatRejection } from '../ingest/trade-parser.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { holdDataDir, type DataDirLock } from '../store/data-dir-lock.js';
import { formatCounts } from './file-counts.js';
import { checkFeedInputs, engineClassification, ingestFeedFile } from './ingest-feed.js';
import { isSharedStoreUrl, openFlowStore } from './scale-out-adapters.js';
import { HELP_OPTION, readCommandLine, usageMistake, type CommandSpec } from './command-spec.js';
import { FEED_OPTIONS } from './feed-options.js';

export interface IngestCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** stderr is a terminal: draw a progress bar there. */
  readonly isTTY: boolean;
}

export interface IngestCommandDeps {
  /** Opens the store of a data directory (default: the embedded SQLite store). */
  readonly openStore?: (dataDir: string) => Promise<FlowStore>;
}

const OPTIONS = {
  data: { type: 'string', short: 'd', value: 'DIR', description: 'data directory (created when missing)' },
  store: { type: 'string', value: 'postgres://…', description: "instead of --data: write into a fleet's PostgreSQL store (its gateways see the trades within their poll interval)" },
  'batch-size': { type: 'string', value: 'N', description: 'trades per transaction (default for a CSV file: 100000, more over many symbols until blocks average 128 trades; 20000 otherwise)' },
  ...FEED_OPTIONS,
  help: HELP_OPTION,
} as const;

export const INGEST_COMMAND = {
  name: 'ingest',
  summary: 'ingest trades from CSV or NDJSON files (optionally .gz) into the store, durably',
  usage: ['FILE... (--data DIR | --store postgres://…) [options]'],
  description:
    'Files are ingested in the order given. A file ingested again (or after an interruption) resumes where it stopped; nothing is counted twice. Feed formats (LOBSTER, SSE/SZSE Level-2, any CSV/NDJSON with --map) are converted to canonical trades and validated like a canonical file.',
  options: OPTIONS,
} satisfies CommandSpec;

/**
 * `capflow ingest FILE... --data DIR` (docs/cli.md). `argv` holds the arguments after the
 * command word. Exit codes: 0 done (rejected rows are reported, not failures), 1 a file could
 * not be ingested (earlier files and batches stay committed), 2 usage error.
 */
export async function runIngestCommand(argv: string[], io: IngestCommandIo, deps: IngestCommandDeps = {}): Promise<number> {
  const read = readCommandLine(INGEST_COMMAND, argv, io, true);
  if (typeof read === 'number') return read;
  const { values, positionals: files } = read;
  const usageError = (message: string): number => usageMistake(INGEST_COMMAND, io, message);
  if (files.length === 0) return usageError('no input file given');
  const sharedStore = values.store !== undefined && values.store !== '' ? values.store : undefined;
  if (sharedStore !== undefined && !isSharedStoreUrl(sharedStore)) return usageError(`--store must be postgres://…, got ${JSON.stringify(sharedStore)}`);
  const dataDir = values.data === undefined || values.data.length === 0 ? undefined : values.data;
  if (dataDir === undefined && sharedStore === undefined) return usageError('--data DIR (or --store postgres://…) is required');
  // Without --batch-size the ingester's defaults apply (for a CSV file read from its bytes 100,000, growing over many symbol-days; 20,000 otherwise).
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInteger(values['batch-size']);
  if (values['batch-size'] !== undefined && batchSize === undefined) return usageError('--batch-size must be a positive integer');
  const inputs = await checkFeedInputs(INGEST_COMMAND, values, files, io);
  if (typeof inputs === 'number') return inputs;
  const { feed, maxRejections } = inputs;

  let store: FlowStore;
  // The data directory is in use while this ingest runs (`capflow restore` refuses it).
  let lock: DataDirLock | undefined;
  try {
    if (sharedStore === undefined) lock = holdDataDir(dataDir!);
    store =
      sharedStore !== undefined
        ? await openFlowStore(sharedStore, dataDir)
        : await (deps.openStore ?? ((dir: string) => SqliteFlowStore.open(dir)))(dataDir!);
  } catch (error) {
    lock?.release();
    const where = sharedStore !== undefined ? `the store ${redactedUrl(sharedStore)}` : `the data directory ${dataDir}`;
    io.stderr.write(`capflow ingest: cannot open ${where}: ${(error as Error).message}\n`);
    return 1;
  }

  const totals = { accepted: 0, outsideSessions: 0, duplicates: 0, rejected: 0, skipped: 0 };
  try {
    for (const file of files) {
      const bar = io.isTTY ? new ProgressBar(io.stderr, basename(file)) : undefined;
      let summary: IngestSummary;
      try {
        const classification = engineClassification(feed);
        const options = {
          ...(batchSize === undefined ? {} : { batchSize }),
          maxRejections,
          ...(classification === undefined ? {} : { classification }),
        };
        summary =
          feed.kind === 'canonical'
            ? await ingestFile(store, file, { ...options, ...(bar ? { onProgress: (progress: IngestProgress) => bar.update(progress) } : {}) })
            : await ingestFeedFile(store, feed, file, options, io);
      } catch (error) {
        bar?.clear();
        io.stderr.write(`capflow ingest: ${(error as Error).message}\n`);
        if (files.length > 1) io.stderr.write('capflow ingest: stopped; files after this one were not ingested\n');
        return 1;
      }
      bar?.clear();
      io.stdout.write(formatSummary(summary));
      totals.accepted += summary.accepted;
      totals.outsideSessions += summary.outsideSessions;
      totals.duplicates += summary.duplicates;
      totals.rejected += summary.rejected;
      totals.skipped += summary.skipped;
    }
    if (files.length > 1) {
      io.stdout.write(
        `total: ${totals.accepted} accepted` +
          (totals.outsideSessions > 0 ? `, ${totals.outsideSessions} outside the sessions` : '') +
          `, ${totals.duplicates} duplicates, ${totals.rejected} rejected` +
          (totals.skipped > 0 ? `, ${totals.skipped} skipped (already ingested)` : '') +
          '\n',
      );
    }
    return 0;
  } finally {
    await store.close();
    lock?.release();
  }
}

/** A store URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** A whole number of at least 1, else undefined. */
function positiveInteger(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The lines printed for one file: counts, then the kept rejection reasons. */
export function formatSummary(summary: IngestSummary): string {
  return formatCounts(summary);
}

/** A one-line progress bar redrawn in place on a terminal, at most every 100 ms. */
class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly label: string,
  ) {}

  update(progress: IngestProgress): void {
    const now = Date.now();
    const done = progress.bytesRead >= progress.totalBytes;
    if (!done && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const ratio = progress.totalBytes === 0 ? 1 : Math.min(1, progress.bytesRead / progress.totalBytes);
    const filled = Math.round(ratio * width);
    const percent = Math.floor(ratio * 100);
    this.out.write(
      `\r${progress.phase === 'hashing' ? 'checking ' : 'ingesting'} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
        `${String(percent).padStart(3)}% ${megabytes(progress.bytesRead)}/${megabytes(progress.totalBytes)} ${this.label}\u001b[K`,
    );
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.out.write('\r\u001b[K');
    this.drawn = false;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}
