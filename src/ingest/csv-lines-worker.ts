/**
 * Worker thread of `csvFileToLinesParallel`: reads one partition of the symbols of a CSV file and
 * posts back every symbol-day's complete lines, packed (one string of inflows, typed arrays of
 * timestamps and counts) so that the hand-over costs no object per line.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TierThresholds } from '../engine/index.js';
import type { Market } from '../model/market.js';
import { csvFileToLines } from './fast-csv-lines.js';

export interface CsvLinesWorkerInput {
  readonly path: string;
  readonly index: number;
  readonly count: number;
  readonly thresholds?: Partial<Record<Market, TierThresholds>>;
  readonly maxRejections?: number;
}

const input = workerData as CsvLinesWorkerInput;
try {
  const { builder, summary } = await csvFileToLines(input.path, {
    partition: { index: input.index, count: input.count },
    ...(input.thresholds ? { thresholds: input.thresholds } : {}),
    ...(input.maxRejections === undefined ? {} : { maxRejections: input.maxRejections }),
  });
  const keys: string[] = [];
  const days = builder.completeLines();
  const counts = new Int32Array(days.size);
  const inflows: string[] = [];
  const stamps: number[] = [];
  for (const [key, lines] of days) {
    counts[keys.length] = lines.length;
    keys.push(key);
    for (const line of lines) {
      inflows.push(line.inflow);
      stamps.push(line.timestamp);
    }
  }
  const timestamps = Float64Array.from(stamps);
  parentPort!.postMessage({ summary, keys, counts, inflows: inflows.join('\n'), timestamps }, [counts.buffer, timestamps.buffer]);
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
