/**
 * `capflow compute`: its lines against what `capflow serve` answers for the same trades after an
 * ingest (the served path: store, rebuild, FlowService), against the bundled real day's
 * independently computed answer, and as a filter in a pipe.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync, gunzipSync } from 'node:zlib';
import { ingestFile } from '../ingest/index.js';
import { parseSymbol } from '../model/symbol.js';
import type { ClassificationMethod } from '../model/trade.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { CAPFLOW_BIN, captureIo, temporaryDirectories } from './cli-test-kit.js';
import { runComputeCommand } from './compute-command.js';
import { formatCounts } from './file-counts.js';
import { runIngestCommand } from './ingest-command.js';
import { SAMPLE_FILE } from './serve-command.js';

const tempDir = temporaryDirectories('capflow-compute-');

const DATE = '2024-06-14';
/** Saturday after DATE: every market serves DATE, complete. */
const AFTER_THE_CLOSE = Date.parse('2024-06-15T12:00:00Z');
const SYMBOLS: ReadonlyArray<readonly [string, string]> = [
  ['700.HK', '+08:00'],
  ['5.HK', '+08:00'],
  ['AAPL.US', '-04:00'],
  ['600000.SH', '+08:00'],
  ['D05.SG', '+08:00'],
];

/**
 * A deterministic day over five symbols of four markets, local 08:00–18:00 (pre-open, lunch
 * breaks, closing auctions and after-hours included), plus trades on the closed Saturday:
 * sides given or not, quotes on some, HK auction trade types, redelivered ids, odd and
 * malformed rows, times slightly out of order.
 */
function tradeRows(count: number): string[] {
  let seed = 11;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const [symbol, offset] = SYMBOLS[i % SYMBOLS.length]!;
    if (random() < 0.01 && ids.length > 0) {
      rows.push(rows[ids.length - 1 - Math.floor(random() * Math.min(50, ids.length))]!); // a redelivery (or a repeat of an id-less row)
      continue;
    }
    const day = random() < 0.02 ? '2024-06-15' : DATE;
    const localMs = Math.floor(8 * 3_600_000 + ((i / count) * 10 + (random() - 0.5) * 0.05) * 3_600_000);
    const hh = String(Math.floor(localMs / 3_600_000)).padStart(2, '0');
    const mm = String(Math.floor(localMs / 60_000) % 60).padStart(2, '0');
    const ss = String(Math.floor(localMs / 1000) % 60).padStart(2, '0');
    const ms = String(localMs % 1000).padStart(3, '0');
    const time = random() < 0.5 ? `${day}T${hh}:${mm}:${ss}.${ms}${offset}` : String(Date.parse(`${day}T${hh}:${mm}:${ss}.${ms}${offset}`));
    const cents = 10_000 + Math.floor(random() * 300);
    const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const side = random() < 0.4 ? '' : (['up', 'down', 'neutral', 'buy', '1'] as const)[Math.floor(random() * 5)]!;
    const quoted = random() < 0.5;
    const bid = quoted ? `${Math.floor((cents - 2) / 100)}.${String((cents - 2) % 100).padStart(2, '0')}` : '';
    const ask = quoted ? `${Math.floor((cents + 3) / 100)}.${String((cents + 3) % 100).padStart(2, '0')}` : '';
    const type = symbol.endsWith('.HK') && random() < 0.03 ? 'U' : '';
    const id = random() < 0.9 ? `T${i}` : '';
    const bad = random() < 0.005;
    rows.push(`${symbol},${time},${bad ? '-1' : price},${100 * (1 + Math.floor(random() * 20))},${side},${id},${bid},${ask},${type}`);
    ids.push(id);
  }
  return rows;
}

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';

function writeDay(dir: string, count: number): string {
  const file = join(dir, 'day.csv');
  writeFileSync(file, `${HEADER}\n${tradeRows(count).join('\n')}\n`);
  return file;
}

/** NDJSON of the same trades (empty fields left out). */
function asNdjson(csvFile: string, path: string): string {
  const [header, ...rows] = readFileSync(csvFile, 'utf8').trimEnd().split('\n');
  const names = header!.split(',');
  const text = rows
    .map((row) => {
      const values = row.split(',');
      const record: Record<string, string> = {};
      names.forEach((name, k) => values[k] !== '' && (record[name] = values[k]!));
      return JSON.stringify(record);
    })
    .join('\n');
  writeFileSync(path, `${text}\n`);
  return path;
}

interface ComputedDay {
  symbol: string;
  date: string;
  lines: Array<{ timestamp: number; inflow: string }>;
}

async function compute(args: string[]): Promise<{ code: number; days: ComputedDay[]; stdout: string; stderr: string }> {
  const { io, out } = captureIo();
  const code = await runComputeCommand(args, io);
  const days = args.includes('--json') && code === 0 ? out.stdout.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ComputedDay) : [];
  return { code, days, stdout: out.stdout, stderr: out.stderr };
}

/** What a server answers for every symbol after the close, having ingested `files` (with `classify`). */
async function served(dir: string, files: string[], classification?: ClassificationMethod): Promise<{ lines: Map<string, string[]>; summaries: string }> {
  const store = await SqliteFlowStore.open(dir);
  try {
    let summaries = '';
    for (const file of files) {
      const summary = await ingestFile(store, file, { maxRejections: 20, ...(classification === undefined ? {} : { classification }) });
      summaries += formatCounts(summary);
    }
    const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: AFTER_THE_CLOSE }) });
    const lines = new Map<string, string[]>();
    for (const [symbol] of SYMBOLS) lines.set(symbol, (await flows.capitalFlow(parseSymbol(symbol)!)).lines.map((line) => `${line.timestamp} ${line.inflow}`));
    return { lines, summaries };
  } finally {
    await store.close();
  }
}

function computedOn(days: ComputedDay[], date: string): Map<string, string[]> {
  return new Map(days.filter((day) => day.date === date).map((day) => [day.symbol, day.lines.map((line) => `${line.timestamp} ${line.inflow}`)]));
}

describe('capflow compute', () => {
  it('answers exactly the lines `serve` answers after `ingest` of the same trades, with the same counts, for every input form and classification', async () => {
    const dir = tempDir();
    const csv = writeDay(dir, 40_000);
    const gz = join(dir, 'day.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(csv)));
    const ndjson = asNdjson(csv, join(dir, 'day.ndjson'));
    for (const classify of [undefined, 'tick', 'emo', 'clnv'] as const) {
      const flags = classify === undefined ? [] : ['--classify', classify];
      for (const file of classify === undefined ? [csv, gz, ndjson] : [csv]) {
        const server = await served(join(dir, `store-${classify ?? 'default'}-${file.slice(file.lastIndexOf('.'))}`), [file], classify);
        assert.equal(server.lines.get('700.HK')!.length, 331);
        assert.equal(server.lines.get('D05.SG')!.length, 436);
        const result = await compute([file, '--json', ...flags]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(computedOn(result.days, DATE), server.lines, `${file} ${classify ?? ''}`);
        // The closed Saturday's trades are counted outside the sessions, and make no symbol-day.
        assert.deepEqual([...new Set(result.days.map((day) => day.date))], [DATE]);
        // Counts and rejection reasons as `ingest` reports them.
        assert.equal(result.stderr, server.summaries);
        const counts = /: (\d+) accepted, (\d+) outside the sessions, (\d+) duplicates, (\d+) rejected/.exec(result.stderr);
        assert.ok(counts, result.stderr);
        const [, , outside, duplicates, rejected] = counts.map(Number);
        assert.ok(outside! > 1000 && duplicates! > 100 && rejected! > 50, result.stderr);
      }
    }
  });

  it('reads several files into one day, a trade id of an earlier file being a duplicate, as ingesting them in order', async () => {
    const dir = tempDir();
    const rows = tradeRows(12_000);
    const first = join(dir, 'a.csv');
    const second = join(dir, 'b.csv');
    writeFileSync(first, `${HEADER}\n${rows.slice(0, 7_000).join('\n')}\n`);
    // The second file repeats the first's last 500 rows and has its columns in another order.
    const reordered = (row: string): string => {
      const [symbol, time, price, volume, side, id, bid, ask, type] = row.split(',');
      return [price, symbol, time, volume, side, id, bid, ask, type].join(',');
    };
    writeFileSync(second, `price,symbol,timestamp,volume,direction,trade_id,bid,ask,trade_type\n${rows.slice(6_500).map(reordered).join('\n')}\n`);
    const server = await served(join(dir, 'store'), [first, second]);
    const result = await compute([first, second, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(computedOn(result.days, DATE), server.lines);
    assert.equal(result.stderr, server.summaries);
    assert.equal(result.stderr.split('\n').filter((line) => / accepted/.test(line)).length, 2);
  });

  it("writes the bundled real day (600000.SH) as CSV whose last line is its independently computed net inflow, and classifies it by the tick rule without the sides", async () => {
    const dir = tempDir();
    const out = join(dir, 'lines.csv');
    const { io, out: printed } = captureIo();
    assert.equal(await runComputeCommand([SAMPLE_FILE, '--out', out], io), 0);
    // The 09:25 opening call auction's prints are before the first session: outside the lines.
    assert.match(printed.stdout, /: 14830 accepted, 42 outside the sessions, 0 duplicates, 0 rejected\n$/);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(rows[0], 'symbol,date,timestamp,inflow');
    assert.equal(rows.length, 1 + 241);
    assert.equal(rows[1], `600000.SH,2023-02-01,${Date.parse('2023-02-01T09:30:00+08:00') / 1000},${rows[1]!.split(',')[3]}`);
    assert.equal(rows[241], `600000.SH,2023-02-01,${Date.parse('2023-02-01T15:00:00+08:00') / 1000},-24384680.860`);

    // Without the direction column, the tick rule (no quotes in this file) gives the folder's independent figure.
    const [header, ...trades] = gunzipSync(readFileSync(SAMPLE_FILE)).toString('utf8').trimEnd().split('\n');
    const directionAt = header!.split(',').indexOf('direction');
    const sideless = join(dir, 'sideless.csv');
    writeFileSync(sideless, [header!, ...trades].map((row) => row.split(',').filter((_, k) => k !== directionAt).join(',')).join('\n'));
    const classified = await compute([sideless, '--json', '--classify', 'tick']);
    assert.equal(classified.code, 0, classified.stderr);
    assert.equal(classified.days[0]!.lines.at(-1)!.inflow, '-13530695.060');
  });

  it('chooses the order-sequence rule for a Level-2 file: the later order is the aggressor, the flag set aside, as ingest --classify order-sequence stores it', async () => {
    const dir = tempDir();
    const file = join(dir, 'l2.csv');
    // Row 1: flag B, but the sell order came later (down by order sequence). Row 2: flag S, the buy order later (up).
    // Row 3: no order numbers (classified by the engine: tick rule, up from 10.00). Row 4: the closing call auction (no aggressor).
    writeFileSync(
      file,
      [
        'SecurityID,TradeTime,TradePrice,TradeQty,TradeBSFlag,BidApplSeqNum,OfferApplSeqNum,ApplSeqNum,Market',
        '600000,2023.02.01T10:00:00.000,10.00,100,B,5,9,1,SH',
        '600000,2023.02.01T10:01:00.000,10.00,300,S,12,7,2,SH',
        '600000,2023.02.01T10:02:00.000,10.01,1000,,,,3,SH',
        '600000,2023.02.01T15:00:00.100,10.02,500,N,20,21,4,SH',
      ].join('\n') + '\n',
    );
    const flagged = await compute([file, '--format', 'l2', '--json']);
    const bySequence = await compute([file, '--format', 'l2', '--json', '--classify', 'order-sequence']);
    assert.equal(bySequence.code, 0, bySequence.stderr);
    const last = (result: { days: ComputedDay[] }): string => result.days[0]!.lines.at(-1)!.inflow;
    assert.equal(last(flagged), '8010.000'); // +1000 − 3000 + 10010
    assert.equal(last(bySequence), '12010.000'); // −1000 + 3000 + 10010
    const { io } = captureIo();
    assert.equal(await runIngestCommand([file, '--format', 'l2', '--classify', 'order-sequence', '--data', join(dir, 'store')], io), 0);
    const store = await SqliteFlowStore.open(join(dir, 'store'));
    try {
      const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: Date.parse('2023-02-01T12:00:00Z') }) });
      assert.equal((await flows.capitalFlow(parseSymbol('600000.SH')!)).lines.at(-1)!.inflow, '12010.000');
    } finally {
      await store.close();
    }
  });

  it('refuses what it cannot do with a usage error (exit 2), and a missing file with exit 1', async () => {
    const dir = tempDir();
    const csv = writeDay(dir, 10);
    assert.equal((await compute([])).code, 2);
    assert.equal((await compute([csv, '--json', '--out', join(dir, 'x.csv')])).code, 2);
    const sequence = await compute([csv, '--classify', 'order-sequence']);
    assert.equal(sequence.code, 2);
    assert.match(sequence.stderr, /--classify order-sequence needs .* --format l2/);
    assert.equal((await compute([csv, '--classify', 'magic'])).code, 2);
    const missing = await compute([join(dir, 'missing.csv')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing\.csv: cannot read/);
    assert.equal((await compute([join(dir, 'day.txt')])).code, 1);
  });

  it('ends quietly with exit code 0 in a pipe whose reader stops after the first line (`--json | head -1`)', async () => {
    const dir = tempDir();
    const csv = writeDay(dir, 20_000);
    const child = spawn(process.execPath, [CAPFLOW_BIN, 'compute', csv, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await new Promise<string>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString();
        if (text.includes('\n')) {
          child.stdout.off('data', onData);
          child.stdout.destroy(); // what `head -1` does after its first line
          resolve(text.slice(0, text.indexOf('\n')));
        }
      };
      child.stdout.on('data', onData);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    assert.equal((JSON.parse(first) as ComputedDay).symbol, '5.HK');
    assert.doesNotMatch(stderr, /EPIPE|Error/);
    assert.equal(code, 0);
  });
});
