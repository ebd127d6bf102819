import { availableParallelism } from 'node:os';
import type { CapitalFlowLine } from '../engine/index.js';
import type { AdapterSource } from './adapters/adapter-source.js';
import { CsvLinesBuilder, csvFileToLines, type CsvLinesOptions, type CsvLinesSummary } from './fast-csv-lines.js';
import { fileKindOf, readTextChunks } from './file-source.js';
import { NdjsonRecordParser } from './ndjson-record-parser.js';
import { csvFileToLinesPipelined } from './pipelined-csv-lines.js';

/** One symbol-day's complete lines. */
export interface SymbolDayLines {
  readonly symbol: string;
  readonly date: string;
  readonly lines: readonly CapitalFlowLine[];
}

export interface FileLinesOptions extends Pick<CsvLinesOptions, 'classification' | 'maxRejections' | 'thresholds'> {
  /** Threads for a plain CSV file: 2 (the default on a machine with two cores or more) reads and applies rows on two threads. */
  readonly threads?: number;
}

/**
 * Every symbol-day's lines straight from files, with no store (`capflow compute`): the files'
 * trades go, in order, into one set of day states, each by the fastest reader of its format —
 * a plain CSV file through the two-thread pipeline (`csvFileToLinesPipelined`), a gzipped one
 * through the byte-level reader, NDJSON and feed formats through the general parser. Lines and
 * counts are exactly those of ingesting the same files and serving them.
 */
export class FileLines {
  readonly builder: CsvLinesBuilder;
  private readonly threads: number;

  constructor(options: FileLinesOptions = {}) {
    const { threads, ...builderOptions } = options;
    this.threads = Math.max(1, Math.floor(threads ?? Math.min(2, availableParallelism())));
    this.builder = new CsvLinesBuilder(builderOptions);
  }

  /** Reads a canonical CSV or NDJSON file (optionally `.gz`, the format by its name); resolves with its summary. */
  async addFile(path: string): Promise<CsvLinesSummary> {
    const kind = fileKindOf(path);
    if (kind.format === 'csv') {
      const read = !kind.gzip && this.threads >= 2 ? csvFileToLinesPipelined : csvFileToLines;
      return (await read(path, {}, this.builder)).summary;
    }
    this.builder.startInput(path, 'records');
    const parser = new NdjsonRecordParser();
    await readTextChunks(path, kind.gzip, (text) => this.builder.takeItems(parser.push(text)));
    this.builder.takeItems(parser.end());
    return this.builder.end();
  }

  /** Reads the records of a feed adapter (LOBSTER, Level-2, a column mapping); resolves with their summary. */
  async addSource(source: AdapterSource): Promise<CsvLinesSummary> {
    this.builder.startInput(source.name, 'records');
    for await (const items of source.items()) this.builder.takeItems(items);
    return this.builder.end();
  }

  /** Every symbol-day's complete lines, sorted by symbol, then date. */
  days(): SymbolDayLines[] {
    const days: SymbolDayLines[] = [...this.builder.completeLines()].map(([key, lines]) => {
      const space = key.indexOf(' ');
      return { symbol: key.slice(0, space), date: key.slice(space + 1), lines };
    });
    return days.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
}
