/**
 * A ranking kept current as trades arrive (marked symbols recomputed by the timed refresh or at
 * the request, moved in the ordered list one by one or merged in one pass) answers exactly what a
 * ranking computed from the raw trades answers, after every batch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { capturingLogger } from '../../logging/log-capture-test-kit.js';
import { Direction } from '../../model/trade.js';
import type { TradeToStore } from '../../store/flow-store.js';
import { SqliteFlowStore } from '../../store/sqlite-flow-store.js';
import { FlowService } from '../flow-service.js';
import { MarketClock } from '../market-clock.js';
import { TierFlows } from '../tier-flows.js';
import { RankingsService, type RankingRequest } from './rankings-service.js';

const DAYS = ['2024-06-13', '2024-06-14'];
/** A trade at 10:00 + `second` s local time (inside the HK morning session), 1 share at `cents`/100 HKD. */
function trade(symbol: string, date: string, second: number, cents: number, up: boolean, id: string): TradeToStore {
  return {
    trade: { symbol, timestamp: Date.parse(`${date}T10:00:00+08:00`) + second * 1000, price: { units: BigInt(cents), scale: 2 }, volume: 1, direction: up ? Direction.Up : Direction.Down, tradeId: id },
    date,
  };
}

/** Net inflow per symbol in thousandths over `dates`, from the raw trades: ups minus downs, price × volume. */
function expected(trades: readonly TradeToStore[], dates: readonly string[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const { trade: one, date } of trades) {
    if (!dates.includes(date)) continue;
    const amount = one.price.units * 10n * BigInt(one.volume);
    sums.set(one.symbol, (sums.get(one.symbol) ?? 0n) + (one.direction === Direction.Up ? amount : -amount));
  }
  return sums;
}

function ordered(sums: Map<string, bigint>, order: 'desc' | 'asc'): string[] {
  return [...sums]
    .sort(([a, x], [b, y]) => (x === y ? Buffer.compare(Buffer.from(a), Buffer.from(b)) : (order === 'desc' ? x > y : x < y) ? -1 : 1))
    .map(([symbol, value]) => `${symbol} ${value < 0n ? '-' : ''}${(value < 0n ? -value : value) / 1000n}.${String((value < 0n ? -value : value) % 1000n).padStart(3, '0')}`);
}

describe('RankingsService kept current as trades arrive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-rankings-'));
  after(() => {
    mock.timers.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('equals a ranking from the raw trades after every batch, refreshed by its timer or at the request', async () => {
    const store = await SqliteFlowStore.open(dir);
    const clock = new MarketClock({ kind: 'fixed', at: Date.parse('2024-06-14T16:30:00+08:00') });
    const flows = await FlowService.open({ store, clock });
    const { logger, entries } = capturingLogger('warn');
    const rankings = new RankingsService({ flows, store, tierFlows: new TierFlows(flows, store), logger });
    const symbols = Array.from({ length: 40 }, (_, k) => `${k * 7 + 1}.HK`);
    const all: TradeToStore[] = [];
    let serial = 0;
    const store_ = async (batch: TradeToStore[]): Promise<void> => {
      await store.appendTrades(batch);
      all.push(...batch);
    };
    // Both days of every symbol but the last, which first trades in the live phase.
    await store_(symbols.slice(0, -1).flatMap((symbol, k) => DAYS.map((date, d) => trade(symbol, date, k, 100 + ((k * 37 + d * 11) % 50), (k + d) % 3 !== 0, `h${serial++}`))));
    await flows.poll();
    const requests: RankingRequest[] = [1, 2].flatMap((days) =>
      (['desc', 'asc'] as const).map((order) => ({ market: 'HK' as const, days, measure: { by: 'net' as const, convention: { name: 'longport' as const, days: 20 } }, order, offset: 0, limit: 100 })),
    );
    const check = async (when: string): Promise<void> => {
      for (const request of requests) {
        const answer = await rankings.rankings(request);
        const want = ordered(expected(all, DAYS.slice(-request.days)), request.order);
        assert.deepEqual(
          answer.items.map((item) => `${item.symbol} ${item.value}`),
          want,
          `${when}: ${request.days} day(s) ${request.order}`,
        );
        assert.equal(answer.total, want.length);
      }
    };
    await check('built');

    mock.timers.enable({ apis: ['setTimeout'] });
    flows.start();
    const live = (date: string, symbol: string, k: number): TradeToStore => trade(symbol, date, 100 + serial, 100 + ((k * 53 + serial) % 90), (k + serial) % 2 === 0, `l${serial++}`);
    const batches: Array<{ name: string; trades: () => TradeToStore[] }> = [
      { name: 'many symbols (merged)', trades: () => symbols.slice(0, 30).map((symbol, k) => live(DAYS[1]!, symbol, k)) },
      { name: 'a few symbols (one by one)', trades: () => [live(DAYS[1]!, symbols[3]!, 1), live(DAYS[1]!, symbols[3]!, 2), live(DAYS[1]!, symbols[20]!, 3)] },
      { name: 'a new symbol and late trades of the day before', trades: () => [live(DAYS[1]!, symbols[39]!, 4), ...symbols.slice(5, 20).map((symbol, k) => live(DAYS[0]!, symbol, k))] },
      { name: 'one symbol on both days', trades: () => [live(DAYS[0]!, symbols[7]!, 5), live(DAYS[1]!, symbols[7]!, 6), live(DAYS[0]!, symbols[7]!, 7)] },
      { name: 'every symbol', trades: () => symbols.map((symbol, k) => live(DAYS[1]!, symbol, k + 8)) },
    ];
    for (const [index, batch] of batches.entries()) {
      await store_(batch.trades());
      // The poll (every 200 ms) applies the batch; the boards refresh on their own timer; odd
      // batches are asked about before that timer fires (the request refreshes them).
      mock.timers.tick(200);
      for (let spin = 0; spin < 20; spin++) await new Promise((resolve) => setImmediate(resolve));
      if (index % 2 === 0) {
        mock.timers.tick(100);
        for (let spin = 0; spin < 20; spin++) await new Promise((resolve) => setImmediate(resolve));
      }
      await check(batch.name);
    }
    flows.stop();
    rankings.close();
    mock.timers.reset();
    assert.deepEqual(entries, [], 'no refresh failed');
    await store.close();
  });
});
