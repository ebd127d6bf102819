import { Worker } from 'node:worker_threads';
import { CsvLinesBuilder, type CsvLinesOptions, type CsvLinesSummary } from './fast-csv-lines.js';
import { RECORD_STRIDE } from './csv-row-reader.js';
import { CHUNK_FREE, type PipelineChunkMessage, type PipelineWorkerInput, type SharedChunk } from './pipeline-chunks.js';

export interface PipelinedCsvLinesOptions extends CsvLinesOptions {
  /** Bytes per chunk (default 4 MiB; smaller in tests, to cross many chunk boundaries). */
  readonly chunkBytes?: number;
  /** Chunks in flight between the threads (default 4). */
  readonly chunks?: number;
  /**
   * The reader thread hands a chunk over unparsed while the applying thread holds at most this
   * many (default 1: when it is about to run out of work). -1 never (every row read by the reader
   * thread), a large number always (tests).
   */
  readonly handOverBelow?: number;
}

/** Records a chunk has room for: one per 24 bytes (a canonical row is longer); a chunk of shorter rows goes partly over raw. */
const BYTES_PER_RECORD = 24;

/**
 * CSV file (plain, not gzipped) → a builder holding every symbol-day, on two threads that split
 * each row's work: a reader thread reads the file and parses the rows (`CsvRowReader`, in chunks of
 * shared memory), and this thread applies them to the day states, in file order, while the next
 * chunk is parsed. Every line the reader thread does not take goes to this thread's builder as raw
 * bytes, in place, so the result is exactly that of `csvFileToLines`: the same lines, counts and
 * rejections. When the applying thread runs short of work it parses a chunk itself, which keeps
 * both threads busy whichever half is the larger on a given machine.
 */
export async function csvFileToLinesPipelined(
  path: string,
  options: PipelinedCsvLinesOptions = {},
  into?: CsvLinesBuilder,
): Promise<{ builder: CsvLinesBuilder; summary: CsvLinesSummary }> {
  const chunkBytes = Math.max(1024, Math.floor(options.chunkBytes ?? 1 << 22));
  if (chunkBytes >= 1 << 24) throw new RangeError('chunkBytes must be below 16 MiB');
  const chunkCount = Math.max(2, Math.floor(options.chunks ?? 4));
  const recordCapacity = Math.max(16, Math.ceil(chunkBytes / BYTES_PER_RECORD));
  const { chunkBytes: _bytes, chunks: _chunks, handOverBelow, ...builderOptions } = options;
  // Given a builder (which ended its previous input), the file's trades join its day states.
  const builder = into ?? new CsvLinesBuilder({ sourceName: path, ...builderOptions });
  if (into) into.startInput(path);
  const chunks: SharedChunk[] = Array.from({ length: chunkCount }, () => ({
    bytes: new SharedArrayBuffer(chunkBytes),
    records: new SharedArrayBuffer(recordCapacity * RECORD_STRIDE * 8),
  }));
  const views = chunks.map((chunk) => ({ bytes: Buffer.from(chunk.bytes), records: new Float64Array(chunk.records) }));
  const states = new Int32Array(new SharedArrayBuffer(4 * chunkCount));
  const workerData: PipelineWorkerInput = { path, chunks, states: states.buffer as SharedArrayBuffer, recordCapacity, handOverBelow: handOverBelow ?? 1 };
  const worker = new Worker(new URL('./csv-pipeline-worker.js', import.meta.url), { workerData });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: PipelineChunkMessage | { error: string }) => {
        if ('error' in message) return reject(new Error(message.error));
        if (message.done) return resolve();
        const view = views[message.slot]!;
        try {
          builder.applyReadRecords(view.bytes, view.records, message.count);
        } catch (error) {
          return reject(error);
        }
        Atomics.store(states, message.slot, CHUNK_FREE);
        Atomics.notify(states, message.slot);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the reader thread stopped (exit code ${code})`)));
    });
  } finally {
    void worker.terminate();
  }
  return { builder, summary: builder.end() };
}
