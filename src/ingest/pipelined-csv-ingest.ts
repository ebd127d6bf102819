import { Worker } from 'node:worker_threads';
import type { BatchIngester } from './batch-ingester.js';
import { CsvColumnsReader } from './csv-columns-reader.js';
import { RECORD_STRIDE } from './csv-row-reader.js';
import { CHUNK_FREE, type PipelineChunkMessage, type PipelineWorkerInput, type SharedChunk } from './pipeline-chunks.js';

const CHUNK_BYTES = 1 << 22;
const CHUNKS = 4;
/** Records a chunk has room for: one per 24 bytes (a canonical row is longer); a chunk of shorter rows goes partly over raw. */
const BYTES_PER_RECORD = 24;

export interface PipelinedIngestOptions {
  /** Bytes per chunk (default 4 MiB; smaller in tests, to cross many chunk boundaries). */
  readonly chunkBytes?: number;
  /** The reader thread hands a chunk over unparsed while this thread holds at most this many (default 1). */
  readonly handOverBelow?: number;
  /** Told the file bytes read so far. */
  readonly onBytes?: (bytesRead: number) => void;
}

/**
 * A plain canonical CSV file into the durable store on two threads, the pipeline of `capflow
 * compute` (`csvFileToLinesPipelined`): a reader thread reads the file in chunks of shared memory
 * and parses its rows (`CsvRowReader`), while this thread puts them into the ingester's column
 * batches and commits them (`CsvColumnsReader.applyReadRecords`). Anything the reader thread does
 * not take (the header, odd rows, a new symbol's first row, rows stamped too far ahead, quoted
 * text) comes over as raw bytes and is read here in place, so rows, line numbers, rejections,
 * checkpoints and a resumed run are exactly those of `CsvColumnsReader.readFile`. When this
 * thread runs short of work it parses a chunk itself.
 */
export async function ingestCsvFilePipelined(ingester: BatchIngester, path: string, options: PipelinedIngestOptions = {}): Promise<void> {
  const chunkBytes = Math.max(1024, Math.floor(options.chunkBytes ?? CHUNK_BYTES));
  if (chunkBytes >= 1 << 24) throw new RangeError('chunkBytes must be below 16 MiB');
  const recordCapacity = Math.max(16, Math.ceil(chunkBytes / BYTES_PER_RECORD));
  const reader = new CsvColumnsReader(ingester, path);
  const chunks: SharedChunk[] = Array.from({ length: CHUNKS }, () => ({
    bytes: new SharedArrayBuffer(chunkBytes),
    records: new SharedArrayBuffer(recordCapacity * RECORD_STRIDE * 8),
  }));
  const views = chunks.map((chunk) => ({ bytes: Buffer.from(chunk.bytes), records: new Float64Array(chunk.records) }));
  const states = new Int32Array(new SharedArrayBuffer(4 * CHUNKS));
  const workerData: PipelineWorkerInput = {
    path,
    chunks,
    states: states.buffer as SharedArrayBuffer,
    recordCapacity,
    handOverBelow: options.handOverBelow ?? 1,
    latestTimestamp: ingester.latestTradeMs,
  };
  const worker = new Worker(new URL('./csv-pipeline-worker.js', import.meta.url), { workerData });
  try {
    await new Promise<void>((resolve, reject) => {
      // Chunks are applied one after the other: a commit in the middle of one is awaited before the next begins.
      let applying = Promise.resolve();
      let failed = false;
      let allRead = false;
      const fail = (error: unknown): void => {
        failed = true;
        reject(error);
      };
      worker.on('message', (message: PipelineChunkMessage | { error: string }) => {
        if ('error' in message) return fail(new Error(message.error));
        if (message.done) allRead = true;
        applying = applying.then(async () => {
          if (failed) return;
          if (message.done) {
            await reader.endBytes();
            return resolve();
          }
          const view = views[message.slot]!;
          await reader.applyReadRecords(view.bytes, view.records, message.count);
          Atomics.store(states, message.slot, CHUNK_FREE);
          Atomics.notify(states, message.slot);
          if (message.position !== undefined) options.onBytes?.(message.position);
        }).catch(fail);
      });
      worker.once('error', fail);
      // The reader thread ends after its last message, maybe while earlier chunks are still being applied here.
      worker.once('exit', (code) => allRead || fail(new Error(`the reader thread stopped (exit code ${code})`)));
    });
  } finally {
    void worker.terminate();
  }
}
