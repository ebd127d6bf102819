/**
 * The connector between two real capflow servers in this process: A takes trades, the connector
 * feeds B's store from A's pushes. B's trade tape and lines must equal A's — after live streaming,
 * after the connector stopped and started again (the gap filled exactly by sequence, or by
 * QueryTrade and alignment), and after A restarted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../logging/logger.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ConnectMetrics } from './connect-metrics.js';
import { configOf, eventually, linesOf, nodeOn, tapeOf, tradeStream, type TestNode } from './connect-test-kit.js';
import { Connector, type BackfillMode } from './connector.js';
import { storeReader } from './relay-target.js';

const DAY = '2024-06-14';
const SYMBOLS = ['700.HK', '5.HK', '600000.SH', 'D05.SG'];

/** The fields of a tape trade that travel (sequence included: B numbers trades as A does). */
const travelling = (trade: { sequence: number; timestampMs: number; price: string; volume: number; tradeType: string; direction: number; session: number }) =>
  `${trade.sequence}|${Math.floor(trade.timestampMs / 1000)}|${trade.price}|${trade.volume}|${trade.tradeType}|${trade.direction}|${trade.session}`;

async function assertSame(a: TestNode, b: TestNode, symbols: readonly string[]): Promise<void> {
  for (const symbol of symbols) {
    const [tapeA, tapeB] = [await tapeOf(a, symbol), await tapeOf(b, symbol)];
    assert.deepEqual(tapeB.map(travelling), tapeA.map(travelling), `${symbol}: B's trades equal A's`);
    assert.deepEqual(await linesOf(b, symbol), await linesOf(a, symbol), `${symbol}: B's lines equal A's`);
  }
}

/** Until B holds as many trades of every symbol's day as A. */
async function caughtUp(a: TestNode, b: TestNode, symbols: readonly string[]): Promise<void> {
  await eventually(async () => {
    await b.flows.poll();
    for (const symbol of symbols) if ((await tapeOf(b, symbol)).length !== (await tapeOf(a, symbol)).length) return false;
    return true;
  }, 'B to hold every trade of A');
}

describe('capflow connect (in process): B records A’s trades exactly', () => {
  const dirs: string[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const dir = () => {
    const made = mkdtempSync(join(tmpdir(), 'capflow-connect-'));
    dirs.push(made);
    return made;
  };

  async function setUp() {
    const a = await nodeOn(dir());
    const b = await nodeOn(dir(), undefined, SYMBOLS);
    const target = await SqliteFlowStore.open(b.dir); // the connector's own handle, as a separate process has
    cleanup.push(() => b.stop(), () => target.close());
    return { a, b, target };
  }

  function connect(a: TestNode, target: SqliteFlowStore, backfill: BackfillMode, metrics = new ConnectMetrics()) {
    const connector = new Connector({ config: configOf(a.ports.http), symbols: SYMBOLS, target, reader: storeReader(target), backfill, metrics, logger: silentLogger(), retryMs: 50 });
    connector.start();
    return { connector, metrics };
  }

  for (const backfill of ['sequence', 'query-trade'] as const) {
    it(`relays live trades, then fills a stopped connector's gap (${backfill})`, async () => {
      const { a, b, target } = await setUp();
      cleanup.push(() => a.stop());
      const stream = tradeStream(SYMBOLS, DAY, 6000, backfill === 'sequence' ? 11 : 12);
      await a.ingest(stream.slice(0, 500)); // before the connector starts: the first backfill
      let { connector, metrics } = connect(a, target, backfill);
      for (let i = 500; i < 3000; i += 250) await a.ingest(stream.slice(i, i + 250));
      await caughtUp(a, b, SYMBOLS);
      await connector.flush();
      await assertSame(a, b, SYMBOLS);
      assert.equal(await metrics.value('capflow_connect_gaps_total'), 0);
      await connector.stop();

      // Stopped while A takes 600 more trades (under 1000 per symbol: QueryTrade reaches back).
      await a.ingest(stream.slice(3000, 3600));
      ({ connector, metrics } = connect(a, target, backfill));
      for (let i = 3600; i < 6000; i += 300) await a.ingest(stream.slice(i, i + 300));
      await caughtUp(a, b, SYMBOLS);
      await connector.flush();
      await assertSame(a, b, SYMBOLS);
      assert.equal(await metrics.value('capflow_connect_gaps_total'), 0);
      assert.ok((await metrics.value('capflow_connect_backfilled_total')) >= 600, 'the gap came from the backfill');
      await connector.stop();
    });
  }

  it('goes on after A restarts on the same data and ports, nothing lost or doubled', async () => {
    const { a: first, b, target } = await setUp();
    let a = first;
    const stream = tradeStream(SYMBOLS, DAY, 4000, 21);
    await a.ingest(stream.slice(0, 1000));
    const { connector, metrics } = connect(a, target, 'auto');
    cleanup.push(() => connector.stop());
    await caughtUp(a, b, SYMBOLS);
    const ports = a.ports;
    await a.stop();
    a = await nodeOn(a.dir, ports);
    cleanup.push(() => a.stop());
    for (let i = 1000; i < 4000; i += 500) await a.ingest(stream.slice(i, i + 500));
    await caughtUp(a, b, SYMBOLS);
    await connector.flush();
    await assertSame(a, b, SYMBOLS);
    assert.ok((await metrics.value('capflow_connect_reconnects_total')) >= 1);
    assert.equal(await metrics.value('capflow_connect_gaps_total'), 0);
  });

  it('subscribes to symbols A learns of only later (first refused as unknown), then backfills them', async () => {
    const { a, b, target } = await setUp(); // A knows none of the symbols yet
    cleanup.push(() => a.stop());
    const { connector, metrics } = connect(a, target, 'auto');
    cleanup.push(() => connector.stop());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stream = tradeStream(SYMBOLS, DAY, 2000, 41);
    for (let i = 0; i < 2000; i += 250) await a.ingest(stream.slice(i, i + 250));
    await caughtUp(a, b, SYMBOLS);
    await connector.flush();
    await assertSame(a, b, SYMBOLS);
    assert.equal(await metrics.value('capflow_connect_gaps_total'), 0);
  });

  it('says so when QueryTrade cannot reach back across a gap (LongPort mode)', async () => {
    const { a, b, target } = await setUp();
    cleanup.push(() => a.stop());
    const stream = tradeStream(['700.HK'], DAY, 3000, 31);
    await a.ingest(stream.slice(0, 200));
    let { connector, metrics } = connect(a, target, 'query-trade');
    await caughtUp(a, b, ['700.HK']);
    await connector.stop();
    await a.ingest(stream.slice(200, 2500)); // 2,300 trades of one symbol: more than QueryTrade's 1000
    ({ connector, metrics } = connect(a, target, 'query-trade'));
    await eventually(async () => (await metrics.value('capflow_connect_gaps_total')) === 1, 'the gap to be reported');
    await connector.flush();
    await b.flows.poll();
    // What could be had is there once: the first 200 and QueryTrade's latest 1000.
    assert.equal((await tapeOf(b, '700.HK')).length, 1200);
    await connector.stop();
  });
});
