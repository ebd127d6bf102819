import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import Database from 'better-sqlite3';
import { calendarFor } from '../calendar/trading-calendar.js';
import { capturingLogger } from '../logging/log-capture-test-kit.js';
import { parseSymbol } from '../model/symbol.js';
import type { Direction, Trade } from '../model/trade.js';
import { storeTrades } from '../server/server-test-kit.js';
import type { DaySnapshotStore, FlowStore } from '../store/flow-store.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../store/postgres-test-kit.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';

const DATE = '2024-06-14';
// After the HK close and its grace window: every trade of the day is visible.
const CLOCK = () => new MarketClock({ kind: 'fixed', at: Date.parse(`${DATE}T23:00:00Z`) });
const SYMBOLS = ['700.HK', '5.HK'];

/** Trades over the whole HK day and its closing-auction window, most without a side, unique ids. */
function tradesOf(symbol: string, from: number, count: number): Trade[] {
  const schedule = calendarFor('HK').schedule(DATE)!;
  const start = schedule.firstSessionStartMs - 10 * 60_000;
  const span = schedule.graceEndMs + 5 * 60_000 - start;
  const trades: Trade[] = [];
  for (let i = from; i < from + count; i++) {
    const spread = (i * 7919) % 997;
    const inGrace = i % 9 === 0;
    const timestamp = inGrace ? schedule.lastSessionEndMs + ((i * 131) % (schedule.graceEndMs - schedule.lastSessionEndMs)) : start + Math.floor((spread / 997) * span);
    const units = 32_000n + BigInt((i * 37) % 23) - 11n;
    const side = i % 5 === 0 ? ((1 + (i % 2)) as Direction) : undefined;
    trades.push({
      symbol,
      timestamp,
      price: { units, scale: i % 4 === 0 ? 3 : 2 },
      volume: 100 * (1 + ((i * 13) % 50)),
      direction: side,
      tradeId: `${symbol}-${i}`,
      bid: i % 3 === 0 ? { units: units - 1n, scale: i % 4 === 0 ? 3 : 2 } : undefined,
      ask: i % 3 === 0 ? { units: units + 1n, scale: i % 4 === 0 ? 3 : 2 } : undefined,
    });
  }
  return trades;
}

/** A store keeping day snapshots, as both of capflow's stores do. */
type SnapshotStore = FlowStore & { readonly daySnapshots: DaySnapshotStore };

async function appendBatch(store: FlowStore, from: number, count: number): Promise<void> {
  for (const symbol of SYMBOLS) await storeTrades(store, tradesOf(symbol, from, count));
}

/** Every symbol's served lines and distribution from a server that replays every trade (no snapshots). */
async function replayedAnswers(store: FlowStore): Promise<unknown[]> {
  const flows = await FlowService.open({ store, clock: CLOCK(), snapshotIntervalMs: 0, keepServedLogs: true });
  return answers(flows);
}

async function answers(flows: FlowService): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const text of SYMBOLS) {
    const symbol = parseSymbol(text)!;
    out.push(await flows.capitalFlow(symbol), await flows.capitalDistribution(symbol));
  }
  return out;
}

/** Counts the day reads a restart makes: whole days, or only the trades after a snapshot. */
function countReads(store: SnapshotStore): { whole: number; after: number } {
  const counts = { whole: 0, after: 0 };
  const whole = store.readDayColumns.bind(store);
  const afterSnapshot = store.daySnapshots.readDayColumnsAfter.bind(store.daySnapshots);
  store.readDayColumns = (...args) => {
    counts.whole++;
    return whole(...args);
  };
  store.daySnapshots.readDayColumnsAfter = (...args) => {
    counts.after++;
    return afterSnapshot(...args);
  };
  return counts;
}

/**
 * A server over a new store in `dir` with `perSymbol` trades of each symbol answers every symbol
 * (replaying its days), writes their snapshots and stops; resolves with what it answered.
 */
async function answeredAndSnapshotted(dir: string, perSymbol: number): Promise<unknown[]> {
  const store = await SqliteFlowStore.open(dir);
  await appendBatch(store, 0, perSymbol);
  const first = await FlowService.open({ store, clock: CLOCK() });
  const answered = await answers(first);
  await first.writeSnapshots();
  await store.close();
  return answered;
}

/**
 * A server answers, writes its snapshots, takes more trades and dies without a final snapshot;
 * more trades are stored while it is down; the restarted server must read each served day from
 * its snapshot plus the later trades and answer exactly as a full replay.
 */
async function staleSnapshotRestart(open: () => Promise<SnapshotStore>): Promise<void> {
  let store = await open();
  await appendBatch(store, 0, 300);
  const first = await FlowService.open({ store, clock: CLOCK() });
  await answers(first); // loads every served day by replay
  assert.equal(await first.writeSnapshots(), 2);
  assert.equal(await first.writeSnapshots(), 0, 'unchanged days are not written again');
  const never = await FlowService.open({ store, clock: CLOCK(), snapshotIntervalMs: 0 });
  await answers(never);
  assert.equal(await never.writeSnapshots(), 0, 'snapshotIntervalMs 0: never written');
  const snapshotSeq = (await store.daySnapshots.daySnapshot('700.HK', DATE))?.seq;
  assert.equal(snapshotSeq, await store.lastSeq());
  // More trades reach the running server, then it dies without a final snapshot.
  await appendBatch(store, 300, 150);
  await first.poll();
  await store.close();
  // More trades stored while it is down.
  store = await open();
  await appendBatch(store, 450, 150);
  const reads = countReads(store);
  const restarted = await FlowService.open({ store, clock: CLOCK() });
  const restored = await answers(restarted);
  assert.deepEqual(reads, { whole: 0, after: 2 }, 'each served day comes from its snapshot and the trades after it');
  const reference = await replayedAnswers(store);
  assert.deepEqual(restored, reference);
  // The restored days go on exactly with trades arriving after the restart.
  await appendBatch(store, 600, 80);
  await restarted.poll();
  assert.deepEqual(await answers(restarted), await replayedAnswers(store));
  await store.close();
}

describe('FlowService: served days restored from store snapshots', () => {
  const root = mkdtempSync(join(tmpdir(), 'capflow-snapshots-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('after a kill with a stale snapshot, a restart reads the snapshot plus later trades and answers exactly as a full replay', () =>
    staleSnapshotRestart(() => SqliteFlowStore.open(join(root, 'stale'))));

  it('writes snapshots at the next poll after many trades were replayed, without waiting for the interval', async () => {
    const dir = join(root, 'replayed');
    const store = await SqliteFlowStore.open(dir);
    await appendBatch(store, 0, 300);
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      // 600 trades replayed: below 1,000 no early write, at 500 one at the next poll.
      for (const [threshold, written] of [
        [1_000, false],
        [500, true],
      ] as const) {
        const flows = await FlowService.open({ store, clock: CLOCK(), snapshotIntervalMs: 3_600_000, snapshotAfterReplayedTrades: threshold, pollIntervalMs: 200 });
        await answers(flows);
        flows.start();
        mock.timers.tick(200);
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
        flows.stop();
        const stored = await Promise.all(SYMBOLS.map((symbol) => store.daySnapshots.daySnapshot(symbol, DATE)));
        assert.deepEqual(
          stored.map((snapshot) => snapshot !== undefined),
          [written, written],
          `threshold ${threshold}`,
        );
      }
    } finally {
      mock.timers.reset();
      await store.close();
    }
  });

  it('a restart with a snapshot covering every trade reads no trades at all and answers exactly', async () => {
    const dir = join(root, 'fresh');
    const before = await answeredAndSnapshotted(dir, 400);
    const store = await SqliteFlowStore.open(dir);
    const reads = countReads(store);
    const restarted = await FlowService.open({ store, clock: CLOCK() });
    assert.deepEqual(await answers(restarted), before);
    assert.deepEqual(reads, { whole: 0, after: 0 }, 'nothing was stored after the snapshots');
    assert.deepEqual(before, await replayedAnswers(store));
    await store.close();
  });

  it('preloads every served day that has a snapshot when it starts, before any request', async () => {
    const dir = join(root, 'preload');
    const before = await answeredAndSnapshotted(dir, 200);
    const store = await SqliteFlowStore.open(dir);
    await appendBatch(store, 200, 50); // stored while it was down
    const reads = countReads(store);
    const restarted = await FlowService.open({ store, clock: CLOCK() });
    assert.equal(restarted.loadedDayCounts().served, 0);
    restarted.start();
    for (let turn = 0; turn < 1_000 && restarted.loadedDayCounts().served < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    restarted.stop();
    assert.equal(restarted.loadedDayCounts().served, 2, 'both snapshotted days loaded by the start');
    assert.deepEqual(reads, { whole: 0, after: 2 });
    assert.equal(await restarted.preloadSnapshottedDays(), 0, 'nothing left to preload');
    const restored = await answers(restarted);
    assert.deepEqual(reads, { whole: 0, after: 2 }, 'the answers read nothing more');
    assert.notDeepEqual(restored, before);
    assert.deepEqual(restored, await replayedAnswers(store));
    // A server keeping replay logs uses no snapshots, so it preloads nothing.
    assert.equal(await (await FlowService.open({ store, clock: CLOCK(), keepServedLogs: true })).preloadSnapshottedDays(), 0);
    await store.close();
  });

  it('replays the day when its snapshot is unreadable or taken with other cut-offs', async () => {
    const dir = join(root, 'bad');
    await answeredAndSnapshotted(dir, 200);
    const db = new Database(join(dir, 'capflow.db'));
    db.prepare("UPDATE day_snapshots SET data = x'0102' WHERE symbol = '700.HK'").run();
    db.close();
    const store = await SqliteFlowStore.open(dir);
    const { logger, entries } = capturingLogger();
    const reads = countReads(store);
    const restarted = await FlowService.open({ store, clock: CLOCK(), logger });
    const restored = await answers(restarted);
    assert.deepEqual(reads, { whole: 1, after: 0 }, 'the unreadable one replayed; the other, taken at the watermark, has no tail to read');
    const unused = entries.filter((entry) => entry.msg === 'snapshot not used; replaying its trades');
    assert.deepEqual(unused.map((entry) => [entry.level, entry.symbol, entry.date]), [[40, '700.HK', '2024-06-14']]);
    assert.equal(typeof (unused[0]!.err as { message?: unknown }).message, 'string');
    assert.deepEqual(restored, await replayedAnswers(store));
    // Other size-tier cut-offs: the tier sums of the snapshot would be wrong, so it is not used.
    const otherCutOffs = await FlowService.open({ store, clock: CLOCK(), thresholds: { HK: { large: 1000, medium: 10 } } });
    const replayed = await FlowService.open({ store, clock: CLOCK(), thresholds: { HK: { large: 1000, medium: 10 } }, keepServedLogs: true });
    assert.deepEqual(await answers(otherCutOffs), await answers(replayed));
    await store.close();
  });
});

describe('FlowService: served days restored from PostgreSQL snapshots (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_snapshots');
  after(() => dropSchemas([schema]));

  it('after a kill with a stale snapshot, a restarted gateway reads the snapshot plus later trades and answers exactly as a full replay', () =>
    staleSnapshotRestart(() => PostgresFlowStore.open(postgresUrlWithSchema(schema))));
});
