import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CapitalFlowLine, TierThresholds } from '../engine/index.js';
import type { Market } from '../model/market.js';
import type { CsvLinesWorkerInput } from './csv-lines-worker.js';
import { csvFileToLines, type CsvLinesSummary } from './fast-csv-lines.js';
import { fileKindOf } from './file-source.js';
import { csvFileToLinesPipelined } from './pipelined-csv-lines.js';

export interface ParallelCsvLinesOptions {
  /** Worker threads (default: the machine's parallelism, at most 8); 1 reads in this thread. */
  readonly workers?: number;
  readonly thresholds?: Partial<Record<Market, TierThresholds>>;
  /** Rejections kept with their reasons (default 100); all are counted. */
  readonly maxRejections?: number;
}

export interface ParallelCsvLines {
  /** Complete-day lines by `symbolDayKey`. */
  readonly days: Map<string, CapitalFlowLine[]>;
  readonly summary: CsvLinesSummary;
}

interface WorkerAnswer {
  readonly summary: CsvLinesSummary;
  /** The lines themselves, from the part read in this thread. */
  readonly lines?: Map<string, CapitalFlowLine[]>;
  readonly keys: string[];
  readonly counts: Int32Array;
  readonly inflows: string;
  readonly timestamps: Float64Array;
}

/**
 * CSV file → every symbol-day's complete lines, on several threads. With two threads and a plain
 * file, one thread parses the rows and the other applies them (`csvFileToLinesPipelined`). With
 * more (or a gzipped file), this thread and `workers - 1` worker threads each read the file and
 * take a part of the symbols (`CsvLinesOptions.partition`): symbol-days are independent and every
 * part reads its rows in file order. Either way the lines are exactly those of `csvFileToLines`;
 * counts are summed and rejections merged in line order.
 */
export async function csvFileToLinesParallel(path: string, options: ParallelCsvLinesOptions = {}): Promise<ParallelCsvLines> {
  const workers = Math.max(1, Math.floor(options.workers ?? Math.min(8, availableParallelism())));
  const maxRejections = Math.max(0, Math.floor(options.maxRejections ?? 100));
  if (workers === 1 || (workers === 2 && !fileKindOf(path).gzip)) {
    // Two threads share each row's work (one parses, one applies) instead of each reading every
    // row for half of the symbols: on two cores that is the faster split (BENCHMARKS.md §1).
    const readOptions = { maxRejections, ...(options.thresholds ? { thresholds: options.thresholds } : {}) };
    const { builder, summary } = workers === 1 ? await csvFileToLines(path, readOptions) : await csvFileToLinesPipelined(path, readOptions);
    return { days: builder.completeLines(), summary };
  }
  // Part 0 is read in this thread while worker threads read the others: one thread fewer to start.
  const inThisThread = csvFileToLines(path, {
    partition: { index: 0, count: workers },
    maxRejections,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  }).then(({ builder, summary }): WorkerAnswer & { lines: Map<string, CapitalFlowLine[]> } => {
    return { summary, keys: [], counts: new Int32Array(0), inflows: '', timestamps: new Float64Array(0), lines: builder.completeLines() };
  });
  const answers: WorkerAnswer[] = await Promise.all([
    inThisThread,
    ...Array.from({ length: workers - 1 }, (_, k) => {
      const workerData: CsvLinesWorkerInput = { path, index: k + 1, count: workers, maxRejections, ...(options.thresholds ? { thresholds: options.thresholds } : {}) };
      return new Promise<WorkerAnswer>((resolve, reject) => {
        const worker = new Worker(new URL('./csv-lines-worker.js', import.meta.url), { workerData });
        worker.once('message', (message: WorkerAnswer | { error: string }) => {
          if ('error' in message) reject(new Error(message.error));
          else resolve(message);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  ]);
  const days = new Map<string, CapitalFlowLine[]>();
  let records = 0;
  let accepted = 0;
  let outsideSessions = 0;
  let duplicates = 0;
  let rejected = 0;
  let generalRows = 0;
  const rejections: Array<CsvLinesSummary['rejections'][number]> = [];
  for (const answer of answers) {
    if (answer.lines) for (const [key, lines] of answer.lines) days.set(key, lines);
    const inflows = answer.inflows === '' ? [] : answer.inflows.split('\n');
    let at = 0;
    answer.keys.forEach((key, k) => {
      const count = answer.counts[k] as number;
      const lines: CapitalFlowLine[] = new Array<CapitalFlowLine>(count);
      for (let i = 0; i < count; i++, at++) lines[i] = { timestamp: answer.timestamps[at] as number, inflow: inflows[at] as string };
      days.set(key, lines);
    });
    const s = answer.summary;
    records += s.records;
    accepted += s.accepted;
    outsideSessions += s.outsideSessions;
    duplicates += s.duplicates;
    rejected += s.rejected;
    generalRows += s.generalRows;
    rejections.push(...s.rejections);
  }
  rejections.sort((a, b) => a.line - b.line);
  return { days, summary: { records, accepted, outsideSessions, duplicates, rejected, rejections: rejections.slice(0, maxRejections), generalRows } };
}
