import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import type { CsvLinesSummary } from '../ingest/fast-csv-lines.js';
import { FileLines, type SymbolDayLines } from '../ingest/file-lines.js';
import { HELP_OPTION, readCommandLine, usageMistake, type CommandSpec } from './command-spec.js';
import { FEED_OPTIONS } from './feed-options.js';
import { formatCounts } from './file-counts.js';
import { checkFeedInputs, engineClassification, feedSource, type FeedChoice } from './ingest-feed.js';

export interface ComputeCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const OPTIONS = {
  out: { type: 'string', short: 'o', value: 'FILE.csv', description: 'write the CSV into FILE instead of standard output (the counts then go to standard output)' },
  json: { type: 'boolean', default: false, description: 'NDJSON on standard output: one {"symbol","date","lines":[{"timestamp","inflow"}]} per symbol-day' },
  ...FEED_OPTIONS,
  help: HELP_OPTION,
} as const;

export const COMPUTE_COMMAND = {
  name: 'compute',
  summary: "compute every symbol-day's lines straight from trade files, with no store (research, backtests)",
  usage: ['FILE... [--out FILE.csv | --json] [--format csv|ndjson|lobster|l2] [--classify METHOD] [feed options]'],
  description:
    "The lines 'capflow serve' would answer for the same trades after the close. Files are read in the order given (a trade id seen in an earlier file is a duplicate); formats and feed flags are those of 'capflow ingest'. By default CSV on standard output: symbol,date,timestamp,inflow, one row per minute line, timestamp the minute's start in Unix seconds, inflow the exact text. Counts and rejected rows are reported per file as 'capflow ingest' reports them: on standard output with --out, else on standard error.",
  options: OPTIONS,
} satisfies CommandSpec;

/** Characters of output gathered before a write. */
const WRITE_CHUNK = 1 << 16;

/**
 * `capflow compute FILE...`. Exit codes: 0 done (rejected rows are reported, not failures),
 * 1 a file could not be read, 2 usage error.
 */
export async function runComputeCommand(argv: string[], io: ComputeCommandIo): Promise<number> {
  const read = readCommandLine(COMPUTE_COMMAND, argv, io, true);
  if (typeof read === 'number') return read;
  const { values, positionals: files } = read;
  const usageError = (message: string): number => usageMistake(COMPUTE_COMMAND, io, message);
  if (files.length === 0) return usageError('no input file given');
  if (values.out !== undefined && values.json === true) return usageError('--out and --json exclude each other');
  if (values.out !== undefined && values.out === '') return usageError('--out needs a file name');
  const inputs = await checkFeedInputs(COMPUTE_COMMAND, values, files, io);
  if (typeof inputs === 'number') return inputs;
  const { feed, maxRejections } = inputs;

  // The output file is opened first: a wrong path fails before a long computation, not after it.
  let outFile: FileHandle | undefined;
  if (values.out !== undefined) {
    try {
      outFile = await open(values.out, 'w');
    } catch (error) {
      io.stderr.write(`capflow compute: cannot write ${values.out}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const output = { file: outFile, name: values.out, streamed: false };
  try {
    return await computeInto(files, feed, maxRejections, io, values.json === true, output);
  } finally {
    // Once a stream writes the file, the stream closes it.
    if (!output.streamed) await outFile?.close().catch(() => undefined);
  }
}

/** Reads the files and writes every symbol-day's lines: to the output file when given, else to stdout. */
async function computeInto(
  files: readonly string[],
  feed: FeedChoice,
  maxRejections: number,
  io: ComputeCommandIo,
  json: boolean,
  output: { readonly file: FileHandle | undefined; readonly name: string | undefined; streamed: boolean },
): Promise<number> {
  const outFile = output.file;
  // The counts go where the lines do not.
  const report = outFile === undefined ? io.stderr : io.stdout;
  const classification = engineClassification(feed);
  // Trades stamped far ahead of the clock are rejected as `ingest` rejects them.
  const lines = new FileLines({ maxRejections, now: Date.now(), ...(classification === undefined ? {} : { classification }) });
  for (const file of files) {
    let summary: CsvLinesSummary;
    try {
      if (feed.kind === 'canonical') summary = await lines.addFile(file);
      else {
        const source = feedSource(feed, file);
        summary = await lines.addSource(source);
        for (const [reason, count] of source.dropped?.() ?? []) report.write(`${file}: ${count} ${reason} dropped (not trades)\n`);
      }
    } catch (error) {
      io.stderr.write(`capflow compute: ${(error as Error).message}\n`);
      return 1;
    }
    report.write(formatCounts({ source: file, skipped: 0, ...summary }));
  }

  const days = lines.days();
  if (outFile === undefined) {
    await writeLines(io.stdout, days, json);
    return 0;
  }
  const out = outFile.createWriteStream();
  output.streamed = true;
  try {
    await writeLines(out, days, false);
    out.end();
    await once(out, 'close');
  } catch (error) {
    out.destroy();
    io.stderr.write(`capflow compute: cannot write ${output.name}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}

/** Writes the lines as CSV or NDJSON in chunks, waiting whenever the stream asks to (`write` false). */
async function writeLines(out: { write(text: string): unknown }, days: readonly SymbolDayLines[], json: boolean): Promise<void> {
  const stream = out as Partial<NodeJS.WritableStream>;
  let text = json ? '' : 'symbol,date,timestamp,inflow\n';
  const flush = async (): Promise<void> => {
    const chunk = text;
    text = '';
    if (out.write(chunk) === false && typeof stream.once === 'function') await once(stream as NodeJS.WritableStream, 'drain');
  };
  for (const { symbol, date, lines } of days) {
    if (json) {
      text += `{"symbol":${JSON.stringify(symbol)},"date":"${date}","lines":[`;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        text += `${i === 0 ? '' : ','}{"timestamp":${line.timestamp},"inflow":"${line.inflow}"}`;
      }
      text += ']}\n';
    } else {
      const prefix = `${symbol},${date},`;
      for (const line of lines) text += `${prefix}${line.timestamp},${line.inflow}\n`;
    }
    if (text.length >= WRITE_CHUNK) await flush();
  }
  if (text.length > 0) await flush();
}
