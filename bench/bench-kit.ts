/** Small helpers shared by the benchmarks: flags, timing, percentiles, result tables. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export type Flags = Record<string, string>;

/** `--name value` and `--flag` (→ 'true') pairs of argv. */
export function parseFlags(argv: readonly string[] = process.argv.slice(2)): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags[arg.slice(2)] = 'true';
    else {
      flags[arg.slice(2)] = next;
      i++;
    }
  }
  return flags;
}

export function numberFlag(flags: Flags, name: string, fallback: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value)) throw new Error(`--${name}: not a number: ${text}`);
  return value;
}

export async function timed<T>(task: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await task();
  return { value, ms: performance.now() - start };
}

/** p-th percentile (0–100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function printTable(title: string, rows: ReadonlyArray<Record<string, string | number>>): void {
  console.log(`\n## ${title}`);
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0] as object);
  console.log(`| ${keys.join(' | ')} |`);
  console.log(`|${keys.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${keys.map((k) => String(row[k])).join(' | ')} |`);
}

export function machine(): string {
  return `node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Writes the header and the first `rows` data rows of a CSV file to `target`. */
export async function headFile(source: string, target: string, rows: number): Promise<void> {
  const out = createWriteStream(target);
  let written = -1; // header
  let pending = '';
  for await (const chunk of createReadStream(source, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = pending + (chunk as string);
    const parts = text.split('\n');
    pending = parts.pop() as string;
    const take = Math.min(parts.length, rows - written);
    if (take > 0) out.write(parts.slice(0, take).join('\n') + '\n');
    written += take;
    if (written >= rows) break;
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Caps on unauthenticated connections for a benchmark's server: its load generators open
 * thousands of connections from one address at once, which the defaults (64 per address) refuse.
 */
export const LOAD_GENERATOR_CAPS = { maxUnauthenticated: 100_000, maxUnauthenticatedPerAddress: 100_000 } as const;

/** bin/capflow.js of this checkout (the benchmarks run from dist-bench/bench/). */
export const CAPFLOW_BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/capflow.js');

/** `capflow ingest FILE --data DIR` as a user runs it (a child process); resolves with what it printed. */
export function runIngestCommand(path: string, dataDir: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'ingest', path, '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.on('close', (code) => (code === 0 ? done(printed) : fail(new Error(`capflow ingest exited with ${code}: ${printed}`))));
  });
}
