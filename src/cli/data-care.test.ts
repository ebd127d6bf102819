import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ingestFile } from '../ingest/index.js';
import { parseSymbol } from '../model/symbol.js';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock } from '../service/market-clock.js';
import { runRetention } from '../service/retention-job.js';
import { SqliteCredentialStore } from '../store/sqlite-credential-store.js';
import { SqliteDayArchive } from '../store/sqlite-day-archive.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { issueCredential } from '../server/auth/managed-credentials.js';
import { CAPFLOW_BIN, callCommand, runCapflow, serveCapflow, temporaryDirectories, type CommandResult } from './cli-test-kit.js';
import { runBackupCommand, runRestoreCommand } from './backup-command.js';
import { checkCalendars, runDoctorCommand } from './doctor-command.js';
import { runExportCommand } from './export-command.js';
import { storedTradeCount } from '../store/sqlite-trade-counts.js';
import { DataDirBusyError, takeDataDirExclusively } from '../store/data-dir-lock.js';
import { SAMPLE_FILE } from './serve-command.js';

const tempDir = temporaryDirectories('capflow-care-');

async function sampleLines(dataDir: string): Promise<string[]> {
  const store = await SqliteFlowStore.open(dataDir);
  try {
    const flows = await FlowService.open({ store, clock: new MarketClock({ kind: 'fixed', at: Date.parse('2023-02-01T15:05:00+08:00') }) });
    return (await flows.capitalFlow(parseSymbol('600000.SH')!)).lines.map((line) => `${line.timestamp} ${line.inflow}`);
  } finally {
    await store.close();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const HK = [
  trade('700.HK', '2024-06-12T09:30:00+08:00', '320.0', 1000, '', { tradeId: 'T1' }),
  trade('700.HK', '2024-06-12T09:31:10+08:00', '320.2', 500, 'up', { tradeId: 'T,2' }),
  trade('700.HK', '2024-06-12T09:45:00+08:00', '320.0', 100, 'down', { bid: '319.8', ask: '320.0' }),
];

describe('backup and restore', () => {
  it('round-trips the embedded store: the restored directory serves identical lines', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await ingestFile(store, SAMPLE_FILE);
    await store.close();
    const backup = join(tempDir(), 'backup');
    const made = await callCommand(runBackupCommand, [backup, '--data', data]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /14872 trades/);
    const restored = join(tempDir(), 'restored');
    const back = await callCommand(runRestoreCommand, [backup, '--data', restored]);
    assert.equal(back.code, 0, back.stderr);
    const lines = await sampleLines(restored);
    assert.equal(lines.length, 241);
    assert.match(lines.at(-1)!, / -24384680\.860$/);
    assert.deepEqual(lines, await sampleLines(data));
  });

  it('takes a consistent copy while another connection keeps writing', async () => {
    const data = tempDir();
    const writer = await SqliteFlowStore.open(data);
    let writing = true;
    let n = 0;
    const loop = (async () => {
      while (writing) {
        const batch = Array.from({ length: 200 }, () => trade('5.HK', '2024-06-14T09:30:00+08:00', '60.00', ++n));
        await storeTrades(writer, batch);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    const backup = join(tempDir(), 'b');
    const made = await callCommand(runBackupCommand, [backup, '--data', data]);
    writing = false;
    await loop;
    await writer.close();
    assert.equal(made.code, 0, made.stderr);
    const copy = new Database(join(backup, 'capflow.db'), { readonly: true });
    const trades = storedTradeCount(copy);
    const counted = copy.prepare('SELECT COALESCE(SUM(trades), 0) FROM symbol_days').pluck().get() as number;
    copy.close();
    assert.ok(trades > 0 && trades % 200 === 0, `whole batches only, got ${trades}`);
    assert.equal(counted, trades);
  });

  it('refuses to restore over a non-empty data directory unless --force, then drops the stale write-ahead log', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    await store.close();
    const backup = join(tempDir(), 'b');
    assert.equal((await callCommand(runBackupCommand, [backup, '--data', data])).code, 0);
    const target = tempDir();
    const other = await SqliteFlowStore.open(target);
    await storeTrades(other, [trade('9988.HK', '2024-06-12T09:30:00+08:00', '80', 1)]);
    await other.close();
    writeFileSync(join(target, 'capflow.db-wal'), 'stale');
    const refused = await callCommand(runRestoreCommand, [backup, '--data', target]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is not empty .*pass --force/);
    const forced = await callCommand(runRestoreCommand, [backup, '--data', target, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(existsSync(join(target, 'capflow.db-wal')), false);
    const check = await SqliteFlowStore.open(target);
    assert.deepEqual(await check.symbols(), ['700.HK']);
    await check.close();
  });
});

describe('restore while the data directory is in use', () => {
  it('capflow credentials waits for a restore in progress instead of writing a store about to be replaced', { timeout: 30_000 }, async () => {
    const data = tempDir();
    const restoring = takeDataDirExclusively(data); // what `capflow restore` holds while it copies
    let refused;
    try {
      refused = await runCapflow(['credentials', 'add', '--data', data, '--markets', 'HK']);
    } finally {
      restoring.release();
    }
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is being restored by `capflow restore`; try again once it has finished/);
    const added = await runCapflow(['credentials', 'add', '--data', data, '--markets', 'HK']);
    assert.equal(added.code, 0, added.stderr);
    const store = await SqliteCredentialStore.open(data);
    assert.equal((await store.list()).length, 1, 'only the second attempt wrote a credential');
    await store.close();
  });

  it('restore --force refuses a directory a running serve or ingest uses, changes nothing, and goes ahead once they are gone (even by kill -9)', { timeout: 60_000 }, async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    await store.close();
    const backup = join(tempDir(), 'b');
    assert.equal((await callCommand(runBackupCommand, [backup, '--data', data])).code, 0);
    const live = await SqliteFlowStore.open(data);
    await storeTrades(live, [trade('9988.HK', '2024-06-12T09:30:00+08:00', '80', 1)]);
    await live.close();
    const restore = (): Promise<CommandResult<number | null>> => runCapflow(['restore', backup, '--data', data, '--force']);
    const storedSymbols = async (): Promise<string[]> => {
      const check = await SqliteFlowStore.open(data);
      try {
        return await check.symbols();
      } finally {
        await check.close();
      }
    };

    const served = await serveCapflow(['--data', data]);
    const exited = new Promise((resolve) => served.child.once('exit', resolve));
    try {
      const refused = await restore();
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^capflow restore: .* is in use by a running capflow \(serve, ingest or credentials\); stop it first\n$/);
      assert.deepEqual(await storedSymbols(), ['700.HK', '9988.HK'], 'the store was not replaced');
    } finally {
      served.child.kill('SIGKILL');
      await exited;
    }

    // An ingest holds the directory from before it opens the store to its exit. This one is kept
    // waiting for the store's write lock, which the test holds.
    const file = join(tempDir(), 'trades.ndjson');
    writeFileSync(file, '{"symbol":"5.HK","timestamp":"2024-06-12T09:30:00+08:00","price":"60","volume":100,"direction":"up","trade_id":"x1"}\n');
    const writer = new Database(join(data, 'capflow.db'), { timeout: 30_000 });
    writer.exec('BEGIN IMMEDIATE');
    const ingest = spawn(process.execPath, [CAPFLOW_BIN, 'ingest', file, '--data', data], { stdio: 'ignore' });
    const ingestExited = new Promise((resolve) => ingest.once('exit', resolve));
    try {
      await waitUntil(() => {
        try {
          takeDataDirExclusively(data).release();
          return false;
        } catch (error) {
          if (error instanceof DataDirBusyError) return true;
          throw error;
        }
      });
      const whileIngesting = await restore();
      assert.equal(whileIngesting.code, 1);
      assert.match(whileIngesting.stderr, /in use by a running capflow \(serve, ingest or credentials\)/);
    } finally {
      ingest.kill('SIGKILL');
      await ingestExited;
      writer.exec('ROLLBACK');
      writer.close();
    }
    assert.deepEqual(await storedSymbols(), ['700.HK', '9988.HK'], 'the store was not replaced');
    const done = await restore();
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(await storedSymbols(), ['700.HK']);
  });
});

describe('export', () => {
  it('writes trades as re-ingestable CSV (quoted where needed) and NDJSON', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    await store.close();
    const csv = await callCommand(runExportCommand, ['--data', data, '--symbol', '00700.hk', '--from', '2024-06-01', '--to', '2024-06-30', '--trades']);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(
      csv.stdout,
      [
        'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type',
        '700.HK,2024-06-12T09:30:00.000+08:00,320.0,1000,,T1,,,',
        '700.HK,2024-06-12T09:31:10.000+08:00,320.2,500,up,"T,2",,,',
        '700.HK,2024-06-12T09:45:00.000+08:00,320.0,100,down,,319.8,320.0,',
        '',
      ].join('\n'),
    );
    const ndjson = await callCommand(runExportCommand, ['--data', data, '--symbol', '700.HK', '--from', '2024-06-12', '--to', '2024-06-12', '--trades', '--format', 'ndjson']);
    const rows = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[1], { symbol: '700.HK', timestamp: '2024-06-12T09:31:10.000+08:00', price: '320.2', volume: 500, direction: 'up', trade_id: 'T,2', bid: '', ask: '', trade_type: '' });
    // Re-ingesting the export gives back the same trades (exchange-local times read exactly).
    const exported = join(tempDir(), 'export.csv');
    writeFileSync(exported, csv.stdout);
    const copy = await SqliteFlowStore.open(tempDir());
    await ingestFile(copy, exported);
    const original = await SqliteFlowStore.open(data);
    const fields = (trades: readonly { timestamp: number; volume: number; tradeId?: string | undefined }[]) =>
      trades.map((one) => `${one.timestamp} ${one.volume} ${one.tradeId ?? ''}`);
    assert.deepEqual(fields(await copy.tradesOfDay('700.HK', '2024-06-12')), fields(await original.tradesOfDay('700.HK', '2024-06-12')));
    await copy.close();
    await original.close();
  });

  it('writes every minute line of each day, from raw trades or, after retention, from the archive — the same either way', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    const args = ['--data', data, '--symbol', '700.HK', '--from', '2024-06-12', '--to', '2024-06-12', '--lines'];
    const fromTrades = await callCommand(runExportCommand, args);
    const lines = fromTrades.stdout.trim().split('\n');
    assert.equal(lines[0], 'symbol,date,timestamp,time,inflow');
    assert.equal(lines.length, 1 + 331);
    assert.equal(lines[2], `700.HK,2024-06-12,${Date.parse('2024-06-12T09:31:00+08:00') / 1000},2024-06-12T09:31:00+08:00,160100.000`);
    // 331 HK lines: 09:30-11:59, 13:00-15:59 and the closing-auction line stamped 16:00.
    assert.equal(lines.at(-1), `700.HK,2024-06-12,${Date.parse('2024-06-12T16:00:00+08:00') / 1000},2024-06-12T16:00:00+08:00,128100.000`);
    const archive = await SqliteDayArchive.open(data);
    await runRetention({ store, archive, retainTradesDays: 1, now: () => Date.parse('2024-06-20T12:00:00+08:00') });
    await archive.close();
    await store.close();
    const fromArchive = await callCommand(runExportCommand, args);
    assert.equal(fromArchive.stdout, fromTrades.stdout);
    const trades = await callCommand(runExportCommand, [...args.slice(0, -1), '--trades']);
    assert.match(trades.stderr, /1 day\(s\) in the range keep only lines/);
  });

  it('names each argument mistake', async () => {
    const data = tempDir();
    const cases: Array<[string[], RegExp]> = [
      [['--symbol', '700.HK', '--from', '2024-06-01', '--to', '2024-06-02'], /--data DIR is required/],
      [['--data', data, '--symbol', '700', '--from', '2024-06-01', '--to', '2024-06-02'], /--symbol must be TICKER\.REGION/],
      [['--data', data, '--symbol', '700.HK', '--from', '2024/06/01', '--to', '2024-06-02'], /--from must be a date YYYY-MM-DD/],
      [['--data', data, '--symbol', '700.HK', '--from', '2024-06-03', '--to', '2024-06-02'], /--from must not be after --to/],
      [['--data', data, '--symbol', '700.HK', '--from', '2024-06-01', '--to', '2024-06-02', '--format', 'xml'], /--format must be csv or ndjson/],
    ];
    for (const [argv, message] of cases) {
      const result = await callCommand(runExportCommand, argv);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
    }
  });
});

describe('doctor', () => {
  const NOW = Date.parse('2026-11-25T12:00:00Z');

  it('reports a healthy store as ok, with the projected calendar dates ahead as warnings, and exits 0', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    await store.close();
    const result = await callCommand((argv, io) => runDoctorCommand(argv, io, () => NOW), ['--data', data, '--json']);
    assert.equal(result.code, 0, result.stdout);
    const findings = JSON.parse(result.stdout) as Array<{ level: string; check: string; message: string }>;
    assert.deepEqual(findings.filter((f) => f.check !== 'calendar').map((f) => [f.level, f.check]), [
      ['ok', 'integrity'],
      ['ok', 'schema'],
      ['ok', 'counts'],
    ]);
    assert.match(findings.find((f) => f.check === 'counts')!.message, /^1 symbol-days, 3 trades, consistent/);
    const cn = findings.find((f) => f.check === 'calendar' && f.message.startsWith('CN'))!;
    assert.equal(cn.level, 'warning');
    assert.match(cn.message, /projected \(not yet officially published\) date\(s\) ahead, first 2027-01-01, \d+ within 60 days/);
  });

  it('warns when a market’s calendar data runs out within the horizon', () => {
    const findings = checkCalendars(Date.parse('2027-11-15T00:00:00Z'), 60);
    assert.deepEqual(findings.map((f) => f.level), ['warning', 'warning', 'warning', 'warning']);
    assert.match(findings[0]!.message, /^HK: calendar data ends 2027-12-31, within 60 days/);
    const past = checkCalendars(Date.parse('2028-03-01T00:00:00Z'), 60);
    assert.match(past[0]!.message, /already past: every weekday is guessed/);
  });

  it('fails on a count that disagrees with the summary table, and warns about secrets stored in plain text', async () => {
    const data = tempDir();
    const store = await SqliteFlowStore.open(data);
    await storeTrades(store, HK);
    await store.close();
    const credentials = await SqliteCredentialStore.open(data);
    await credentials.insert(issueCredential({ appKey: 'plainly', markets: ['HK'] }, undefined, NOW).record);
    await credentials.close();
    const db = new Database(join(data, 'capflow.db'));
    db.prepare("UPDATE symbol_days SET trades = 4 WHERE symbol = '700.HK'").run();
    db.close();
    const result = await callCommand((argv, io) => runDoctorCommand(argv, io, () => NOW), ['--data', data]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /ERROR {3}counts {4}1 day\(s\) disagree with the summary table: 700\.HK 2024-06-12: summary says 4, found 3/);
    assert.match(result.stdout, /WARNING secrets {3}1 stored app secret\(s\) in plain text \(plainly\)/);
  });

  it('reports a missing store as an error', async () => {
    const result = await callCommand(runDoctorCommand, ['--data', join(tempDir(), 'nothing')]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /ERROR .*capflow\.db does not exist/);
  });
});

