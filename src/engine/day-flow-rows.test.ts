import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { calendarFor } from '../calendar/trading-calendar.js';
import { DayFlow } from './day-flow.js';
import { CLASSIFICATION_METHODS, type Direction, type Trade } from '../model/trade.js';
import type { TradeToStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { columnsOfTrades } from '../store/trade-columns.js';
import { SeededRandom } from '../demo/seeded-random.js';

const DAY = '2024-06-14';

/** Deterministic pseudo-random numbers (the project's mulberry32), so a failing case can be rerun. */
function random(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}

/** HK trades over the whole day with every feature a stored trade can have, mixed. */
function mixedTrades(count: number, seed: number): TradeToStore[] {
  const next = random(seed);
  const open = Date.parse('2024-06-14T09:20:00+08:00');
  const span = Date.parse('2024-06-14T16:20:00+08:00') - open;
  const trades: TradeToStore[] = [];
  for (let k = 0; k < count; k++) {
    const units = 3000n + BigInt(Math.floor(next() * 40));
    const trade: { -readonly [K in keyof Trade]: Trade[K] } = {
      symbol: '700.HK',
      timestamp: open + Math.floor((k / count) * span + next() * 5000),
      price: next() < 0.03 ? { units: units * 10n ** 20n, scale: 21 } : { units, scale: 1 },
      volume: 1 + Math.floor(next() * 1000),
    };
    const r = next();
    if (r < 0.3) trade.direction = Math.floor(next() * 3) as Direction;
    if (next() < 0.5) {
      trade.bid = { units: units - 1n, scale: 1 };
      trade.ask = { units: units + 1n, scale: 1 };
    }
    if (next() < 0.8) trade.tradeId = next() < 0.05 ? `é-${k}` : `T-${next() < 0.05 ? Math.floor(next() * k) : k}`;
    if (next() < 0.1) trade.tradeType = ['U', 'D', 'P', 'M', '*'][Math.floor(next() * 5)]!;
    if (next() < 0.4) trade.classification = CLASSIFICATION_METHODS[Math.floor(next() * CLASSIFICATION_METHODS.length)]!;
    trades.push({ trade, date: DAY });
  }
  return trades;
}

function summary(day: DayFlow) {
  const end = Number.MAX_SAFE_INTEGER;
  return {
    lines: day.lines(end),
    detail: day.detailLines(end),
    distribution: day.distribution(end),
    counts: [day.tradeCount, day.duplicateCount, day.excludedCount, day.latestTimestampMs],
  };
}

describe('DayFlow.addRows over stored columns (restart path) equals DayFlow.add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-day-columns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const schedule = calendarFor('HK').schedule(DAY)!;

  it('builds the same day from stored columns as from the stored trades as objects', async () => {
    const store = await SqliteFlowStore.open(dir);
    try {
      const trades = mixedTrades(6000, 11);
      for (let k = 0; k < trades.length; k += 997) await store.appendTrades(trades.slice(k, k + 997));
      const byObjects = new DayFlow(schedule);
      for (const trade of await store.tradesOfDay('700.HK', DAY)) byObjects.add(trade);
      const byColumns = new DayFlow(schedule);
      const columns = await store.readDayColumns('700.HK', DAY);
      byColumns.addRows(columns, 0, columns.count);
      assert.deepEqual(summary(byColumns), summary(byObjects));
      assert.ok(byObjects.excludedCount > 0, 'trade types were excluded');
    } finally {
      await store.close();
    }
  });

  it('keeps duplicates out exactly like add, for ids given as bytes and as text (not deduplicated by a store)', () => {
    const trades = mixedTrades(3000, 5).map(({ trade }, k) => ({ ...trade, seq: k + 1, date: DAY }));
    const byObjects = new DayFlow(schedule);
    for (const trade of trades) byObjects.add(trade);
    const byColumns = new DayFlow(schedule);
    const columns = columnsOfTrades(trades);
    byColumns.addRows(columns, 0, columns.count);
    assert.ok(byObjects.duplicateCount > 0);
    assert.deepEqual(summary(byColumns), summary(byObjects));
  });

  it('holds nothing of the batch it was built from (a served day must not keep every id of its trades alive)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const day = new DayFlow(schedule);
    const arena = await (async () => {
      const trades = mixedTrades(3000, 7).map(({ trade }, k) => ({ ...trade, seq: k + 1, date: DAY }));
      const columns = columnsOfTrades(trades);
      day.addRows(columns, 0, columns.count);
      assert.ok(columns.idUsed > 0, 'the batch has id bytes');
      return new WeakRef(columns.idBytes);
    })();
    // WeakRef targets are kept until the current job ends: let it end, then collect.
    for (let attempt = 0; attempt < 5 && arena.deref() !== undefined; attempt++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    assert.equal(arena.deref(), undefined, "the batch's id bytes were collected");
    assert.ok(day.tradeCount > 0);
  });
});
