import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { capturingLogger, errorMessageOf } from '../logging/log-capture-test-kit.js';
import { parseSymbol } from '../model/symbol.js';
import { Direction } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { FlowService } from './flow-service.js';
import { MarketClock } from './market-clock.js';
import type { TapeBatch } from './trade-tape.js';
import { TradeTape } from './trade-tape.js';

const TENCENT = parseSymbol('700.HK')!;
let n = 0;
/** A trade of 700.HK on `date` at 10:00 local plus n seconds; its volume is its running number n. */
function hk(date = '2024-06-14', direction: Direction = Direction.Up): TradeToStore {
  n++;
  return { trade: { symbol: '700.HK', timestamp: Date.parse(`${date}T10:00:00+08:00`) + n * 1000, price: { units: 3200n + BigInt(n % 3), scale: 1 }, volume: n, direction }, date };
}

/** `(volume, sequence)` of every trade in the batches, per date. */
function numbered(batches: readonly TapeBatch[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const batch of batches) for (const one of batch.trades) (out[batch.date] ??= []).push([one.volume, one.sequence]);
  return out;
}

describe('TradeTape', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  async function open() {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-tape-'));
    dirs.push(dir);
    const store = await SqliteFlowStore.open(dir);
    const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T17:00:00+08:00') });
    const flows = await FlowService.open({ store, clock });
    return { dir, store, flows };
  }

  it('tells followers each trade once, in acceptance order, even when trades arrive while the day loads', async () => {
    const { store, flows } = await open();
    await store.appendTrades([hk(), hk(), hk()]);
    await flows.poll();
    // Reads of the day wait at a gate, so new trades are told while the load is under way.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = { readDayColumns: async (...args: Parameters<typeof store.readDayColumns>) => (await gate, store.readDayColumns(...args)) };
    const tape = new TradeTape({ flows, store: gated });
    const batches: TapeBatch[] = [];
    tape.follow(TENCENT, (batch) => batches.push(batch));
    const loading = tape.day(TENCENT, '2024-06-14');
    const first = [hk(), hk()];
    const stored = await store.appendTrades(first);
    await flows.applyCommitted(stored.stored);
    assert.deepEqual(batches, []); // held until the day's first three are counted
    release();
    const day = await loading;
    assert.equal(day.count, 5);
    await store.appendTrades([hk()]);
    await flows.poll();
    const [a, b, c] = [first[0]!.trade.volume, first[1]!.trade.volume, n];
    assert.deepEqual(numbered(batches), { '2024-06-14': [[a, 4], [b, 5], [c, 6]] });
    assert.deepEqual(day.latest(2).map((one) => one.volume), [b, c]);
    tape.stop();
  });

  it('logs a failed load with its symbol, date and error, and loads the day afresh on next use', async () => {
    const { store, flows } = await open();
    await store.appendTrades([hk(), hk()]);
    await flows.poll();
    let failures = 1;
    const flaky = {
      readDayColumns: async (...args: Parameters<typeof store.readDayColumns>) => {
        if (failures-- > 0) throw new Error('disk on fire');
        return store.readDayColumns(...args);
      },
    };
    const { logger, entries } = capturingLogger();
    const tape = new TradeTape({ flows, store: flaky, logger });
    await assert.rejects(tape.day(TENCENT, '2024-06-14'), /disk on fire/);
    assert.deepEqual(
      entries.map((entry) => [entry.level, entry.msg, entry.symbol, entry.date, errorMessageOf(entry)]),
      [[50, 'loading a tape day failed; its state is dropped and read again on next use', '700.HK', '2024-06-14', 'disk on fire']],
    );
    assert.equal((await tape.day(TENCENT, '2024-06-14')).count, 2);
    tape.stop();
  });

  it('logs a follower that throws with its symbol, and still tells the others', async () => {
    const { store, flows } = await open();
    const { logger, entries } = capturingLogger();
    const tape = new TradeTape({ flows, store, logger });
    const batches: TapeBatch[] = [];
    tape.follow(TENCENT, () => {
      throw new Error('follower bug');
    });
    tape.follow(TENCENT, (batch) => batches.push(batch));
    await tape.day(TENCENT, '2024-06-14');
    await store.appendTrades([hk()]);
    await flows.poll();
    assert.equal(batches.length, 1);
    assert.deepEqual(entries.map((entry) => [entry.level, entry.msg, entry.symbol, errorMessageOf(entry)]), [[50, 'a trade tape listener failed', '700.HK', 'follower bug']]);
    tape.stop();
  });

  it('tells trades in the store’s order when another writer’s trade lies between the server’s own', async () => {
    const { dir, store, flows } = await open();
    const other = await SqliteFlowStore.open(dir);
    const tape = new TradeTape({ flows, store });
    const batches: TapeBatch[] = [];
    tape.follow(TENCENT, (batch) => batches.push(batch));
    await tape.day(TENCENT, '2024-06-14');
    const theirs = hk();
    await other.appendTrades([theirs]); // seq 1, not yet polled
    const mine = hk();
    const own = await store.appendTrades([mine]); // seq 2, applied at once
    await flows.applyCommitted(own.stored);
    assert.deepEqual(batches, []); // its place is after seq 1: it waits
    await flows.poll();
    assert.deepEqual(numbered(batches), { '2024-06-14': [[theirs.trade.volume, 1], [mine.trade.volume, 2]] });
    await other.close();
    tape.stop();
  });

  it('numbers each symbol-day on its own: a new day starts at 1, a late trade of a past day goes on from its count', async () => {
    const { store, flows } = await open();
    await store.appendTrades([hk('2024-06-13'), hk('2024-06-13')]);
    await flows.poll();
    const tape = new TradeTape({ flows, store });
    const batches: TapeBatch[] = [];
    tape.follow(TENCENT, (batch) => batches.push(batch));
    const today = [hk('2024-06-14'), hk('2024-06-14')];
    const late = hk('2024-06-13');
    await store.appendTrades([today[0]!, late, today[1]!]);
    await flows.poll();
    await tape.day(TENCENT, '2024-06-14'); // waits for the loads the trades started
    assert.deepEqual(numbered(batches), {
      '2024-06-14': [[today[0]!.trade.volume, 1], [today[1]!.trade.volume, 2]],
      '2024-06-13': [[late.trade.volume, 3]],
    });
    tape.stop();
  });

  it('rejects a day the market does not trade (3/301600)', async () => {
    const { store, flows } = await open();
    const tape = new TradeTape({ flows, store });
    await assert.rejects(tape.day(TENCENT, '2024-06-15'), (error: { status: number; code: number }) => error.status === 3 && error.code === 301600);
    tape.stop();
  });
});
