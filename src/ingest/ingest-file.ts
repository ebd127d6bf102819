import type { FlowStore } from '../store/flow-store.js';
import { BatchIngester, type IngestOptions, type IngestSummary } from './batch-ingester.js';
import { availableParallelism } from 'node:os';
import { CsvColumnsReader } from './csv-columns-reader.js';
import { ingestCsvFilePipelined } from './pipelined-csv-ingest.js';
import { fileKindOf, fileSize, hashFile, readTextChunks } from './file-source.js';
import { NdjsonRecordParser } from './ndjson-record-parser.js';

export interface IngestProgress {
  /** `hashing`: computing the file's identity; `ingesting`: reading and storing records. */
  readonly phase: 'hashing' | 'ingesting';
  /** File bytes read in this phase (compressed bytes for .gz). */
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface IngestFileOptions extends IngestOptions {
  readonly onProgress?: (progress: IngestProgress) => void;
  /**
   * Threads for a plain CSV file: 2 (the default on a machine with two cores or more) parses
   * rows on a reader thread while this one stores them; 1 reads in this thread. A source that
   * yields to the event loop (`sliceMs`, a server) always reads in this thread.
   */
  readonly threads?: number;
}

/**
 * Ingests a CSV or NDJSON file (optionally gzipped), streamed. The source id is the sha256 of
 * the file's bytes, so ingesting the same file again (or after a crash) resumes from its
 * committed position instead of counting trades twice. Resolves after the last durable commit;
 * a file-level problem (unknown extension, missing column, corrupt gzip) rejects with a
 * CapflowError, after the batches before it were committed.
 */
export async function ingestFile(store: FlowStore, path: string, options: IngestFileOptions = {}): Promise<IngestSummary> {
  const kind = fileKindOf(path);
  const totalBytes = await fileSize(path);
  const onProgress = options.onProgress;
  const hex = await hashFile(path, onProgress && ((bytesRead) => onProgress({ phase: 'hashing', bytesRead, totalBytes })));
  const sourceId = `sha256:${hex}`;
  const start = await store.sourcePosition(sourceId);
  if (kind.format === 'csv') {
    // CSV, plain or gzipped: the byte-level reader straight into column batches (appendColumns).
    const ingester = new BatchIngester(store, sourceId, start, { ...options, columnar: true });
    const onBytes = onProgress && ((bytesRead: number) => onProgress({ phase: 'ingesting', bytesRead, totalBytes }));
    if (!kind.gzip && !ingester.yields && (options.threads ?? Math.min(2, availableParallelism())) >= 2) {
      // A plain file on two threads: one parses the rows while this one stores them (`capflow compute`'s pipeline).
      await ingestCsvFilePipelined(ingester, path, onBytes ? { onBytes } : {});
    } else {
      const reader = new CsvColumnsReader(ingester, path);
      await (kind.gzip ? reader.readGzipFile(path, onBytes) : reader.readFile(path, onBytes));
    }
    return ingester.finish(path, kind.format);
  }
  const ingester = new BatchIngester(store, sourceId, start, options);
  const parser = new NdjsonRecordParser();
  await readTextChunks(
    path,
    kind.gzip,
    (text) => ingester.take(parser.push(text)),
    onProgress && ((bytesRead) => onProgress({ phase: 'ingesting', bytesRead, totalBytes })),
  );
  await ingester.take(parser.end());
  return ingester.finish(path, kind.format);
}
