/** Live subscriptions on a real server: checks, limits, coalescing, day changes, the wire. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CapflowClientError, Config, QuoteContext } from '../../../client/index.js';
import { CapflowCommand } from '../../../protocol/capflow-command.js';
import { encodeBody } from '../../../protocol/body-codec.js';
import { AuthRequestSchema } from '../../../protocol/gen/control_pb.js';
import {
  CapitalFlowUpdateSchema,
  SubscribeCapitalFlowRequestSchema,
  SubscribeCapitalFlowResponseSchema,
} from '../../../protocol/gen/capflow_pb.js';
import { UserQuoteProfileRequestSchema, UserQuoteProfileResponseSchema } from '../../../protocol/gen/quote_pb.js';
import { PacketType } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import type { Credential } from '../../auth/credential.js';
import { fetchOtp, startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { sleep, waitFor, wsClient } from '../transport/transport-test-kit.js';
import { applyLineUpdate, firstChangedLine } from './line-diff.js';
import type { LiveFlowUpdate } from './live-flow-hub.js';

const HK_0930 = Date.parse('2024-06-14T09:30:00+08:00') / 1000;
const OPENING = [
  trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000), // neutral (first trade)
  trade('700.HK', '2024-06-14T09:30:30+08:00', '320.2', 500), // up-tick: +160,100
];

function configFor(t: TestServer, credential: Credential): Config {
  return new Config({ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: t.httpUrl, quoteWsUrl: t.wsUrl });
}

async function rejection(promise: Promise<unknown>): Promise<{ status: number | undefined; code: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CapflowClientError) return { status: error.status, code: error.code };
    const fields = error as { status?: number; code?: number };
    return { status: fields.status, code: fields.code };
  }
  assert.fail('expected a rejection');
}

describe('line diff', () => {
  const line = (minute: number, inflow: string) => ({ timestamp: HK_0930 + 60 * minute, inflow });
  const day = (date: string, ...lines: ReturnType<typeof line>[]) => ({ date, lines });

  it('finds the first changed minute, new minutes, and resets', () => {
    const held = day('2024-06-14', line(0, '1.000'), line(1, '2.000'));
    assert.equal(firstChangedLine(held, day('2024-06-14', line(0, '1.000'), line(1, '2.000'))), undefined);
    assert.equal(firstChangedLine(held, day('2024-06-14', line(0, '1.000'), line(1, '3.000'), line(2, '3.000'))), 1);
    assert.equal(firstChangedLine(held, day('2024-06-14', line(0, '1.000'), line(1, '2.000'), line(2, '2.000'))), 2);
    assert.equal(firstChangedLine(held, day('2024-06-17', line(0, '5.000'))), 0);
    assert.equal(firstChangedLine(held, day('2024-06-14', line(0, '1.000'))), 0);
    assert.equal(firstChangedLine(undefined, held), 0);
    assert.deepEqual(applyLineUpdate(held.lines, [line(1, '3.000'), line(2, '3.000')]), [line(0, '1.000'), line(1, '3.000'), line(2, '3.000')]);
  });
});

describe('LiveFlowHub on a real server', () => {
  const limited = testCredential({ appKey: 'two', appSecret: 'two-s', accessToken: 'two-t', subscribeLimit: 2 });
  const usOnly = testCredential({ appKey: 'us', appSecret: 'us-s', accessToken: 'us-t', markets: ['US'] });
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [limited, usOnly],
      securities: ['NODATA.HK'],
      trades: [...OPENING, trade('5.HK', '2024-06-14T09:30:10+08:00', '60.00', 100, 'up'), trade('AAPL.US', '2024-06-14T09:30:00-04:00', '212.00', 10, 'up')],
      server: { liveCoalesceMs: 100 },
    });
  });
  after(() => t.stop());

  const append = async (...trades: ReturnType<typeof trade>[]) => {
    await storeTrades(t.store, trades);
    await t.flows.poll();
  };

  it('advertises the credential subscription limit in command 4 and enforces it across connections', async () => {
    const a = await QuoteContext.new(configFor(t, limited));
    const b = await QuoteContext.new(configFor(t, limited));
    try {
      assert.equal(a.subscribeLimit, 2);
      await a.subscribeCapitalFlow('700.HK', () => {});
      await a.subscribeCapitalFlow('700.HK', () => {}); // again on the same connection: still one
      await b.subscribeCapitalFlow('5.HK', () => {});
      assert.equal(t.server.live.subscriptionCount('two'), 2);
      assert.deepEqual(await rejection(b.subscribeCapitalFlow('NODATA.HK', () => {})), { status: 3, code: 301607 });
      await a.unsubscribeCapitalFlow('700.HK');
      assert.equal(t.server.live.subscriptionCount('two'), 1);
      await b.subscribeCapitalFlow('NODATA.HK', () => {}); // a known symbol without trades may be watched
      await b.close(); // its subscriptions end with its connection
      await waitFor(() => t.server.live.subscriptionCount('two') === 0);
      assert.deepEqual(t.server.live.subscribedSymbols(), []);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('checks symbols like command 24: malformed, no permission, unknown', async () => {
    const us = await QuoteContext.new(configFor(t, usOnly));
    try {
      assert.deepEqual(await rejection(us.subscribeCapitalFlow('700.XX', () => {})), { status: 3, code: 301600 });
      assert.deepEqual(await rejection(us.subscribeCapitalFlow('700.HK', () => {})), { status: 7, code: 301604 });
      assert.deepEqual(await rejection(us.subscribeCapitalFlow('ZZZZ.US', () => {})), { status: 7, code: 301600 });
      assert.equal(t.server.live.subscriptionCount('us'), 0);
      assert.deepEqual(await rejection(t.server.live.subscribe('ZZZZ.HK', () => {})), { status: 7, code: 301600 });
    } finally {
      await us.close();
    }
  });

  it('answers subscribe with the current lines and pushes command 202 lines on the wire', async () => {
    const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
    try {
      const request = (cmd: number, requestId: number, body: Uint8Array) =>
        client.ws.send(encodePacket({ type: PacketType.Request, cmd, requestId, timeoutMs: 5000, body, gzip: false }));
      request(2, 1, encodeBody(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, limited) }));
      assert.equal((await client.next()).type, PacketType.Response);
      request(4, 2, encodeBody(UserQuoteProfileRequestSchema, {}));
      const profile = await client.next();
      assert.equal(fromBinary(UserQuoteProfileResponseSchema, profile.body).subscribeLimit, 2);

      request(CapflowCommand.SubscribeCapitalFlow, 3, toBinary(SubscribeCapitalFlowRequestSchema, create(SubscribeCapitalFlowRequestSchema, { symbol: '5.hk' })));
      const answer = await client.next();
      assert.equal(answer.type === PacketType.Response && answer.status, 0);
      const subscribed = fromBinary(SubscribeCapitalFlowResponseSchema, answer.body);
      assert.deepEqual([subscribed.current?.symbol, subscribed.current?.tradeDay, subscribed.subscriptions, subscribed.subscribeLimit], ['5.HK', '20240614', 1, 2]);
      // Feed clock at 09:30:30 (the latest HK trade): one line, 60.00 × 100 = 6,000 bought.
      assert.deepEqual(subscribed.current?.capitalFlowLines.map((l) => [Number(l.timestamp), l.inflow]), [[HK_0930, '6000.000']]);

      await append(trade('5.HK', '2024-06-14T09:31:05+08:00', '59.90', 200, 'sell')); // -11,980 in 09:31
      const push = await client.next();
      assert.deepEqual([push.type, push.cmd], [PacketType.Push, CapflowCommand.CapitalFlowUpdate]);
      const update = fromBinary(CapitalFlowUpdateSchema, push.body);
      assert.deepEqual([update.symbol, update.tradeDay], ['5.HK', '20240614']);
      assert.deepEqual(update.capitalFlowLines.map((l) => [Number(l.timestamp), l.inflow]), [[HK_0930 + 60, '-5980.000']]);
    } finally {
      client.ws.close();
      await client.closed;
    }
    await waitFor(() => t.server.live.subscriptionCount('two') === 0);
  });

  it('coalesces a burst of trades into at most one update per symbol per interval', async () => {
    const updates: LiveFlowUpdate[] = [];
    const deliveredAt: number[] = [];
    const unsubscribe = await t.server.live.subscribe('700.HK', (update) => {
      updates.push(update);
      deliveredAt.push(Date.now());
    });
    try {
      assert.equal(updates.length, 1);
      assert.equal(updates[0]!.snapshot, true);
      const before = updates[0]!.lines;
      // Ten trades stored and applied one by one, each 100 × 320.0 bought = +32,000.
      for (let i = 0; i < 10; i++) await append(trade('700.HK', `2024-06-14T09:32:0${i}+08:00`, '320.0', 100, 'up'));
      // Until the pushed lines hold all ten trades, however slowly the machine's timers run.
      const applied = (): string | undefined => updates.slice(1).reduce((lines, update) => applyLineUpdate(lines, update.lines), [...before]).at(-1)?.inflow;
      await waitFor(() => applied() === '480100.000', 5000);
      assert.ok(updates.length >= 2 && updates.length < 11, `${updates.length - 1} updates for ten trades`);
      for (let i = 2; i < deliveredAt.length; i++) {
        assert.ok(deliveredAt[i]! - deliveredAt[i - 1]! >= 80, `updates ${deliveredAt[i]! - deliveredAt[i - 1]!} ms apart`);
      }
      let lines = [...before];
      for (const update of updates.slice(1)) lines = applyLineUpdate(lines, update.lines);
      assert.deepEqual(lines.map((l) => l.inflow), ['160100.000', '160100.000', '480100.000']);
      assert.deepEqual(lines, (await t.flows.capitalFlow({ symbol: '700.HK', ticker: '700', region: 'HK', market: 'HK' })).lines);
    } finally {
      unsubscribe();
    }
  });

  it('counts credentialed in-process subscriptions against the limit', async () => {
    const ends = [await t.server.live.subscribe('700.HK', () => {}, { credential: limited }), await t.server.live.subscribe('5.HK', () => {}, { credential: limited })];
    assert.deepEqual(await rejection(t.server.live.subscribe('NODATA.HK', () => {}, { credential: limited })), { status: 3, code: 301607 });
    assert.deepEqual(await rejection(t.server.live.subscribe('700.HK', () => {}, { credential: usOnly })), { status: 7, code: 301604 });
    for (const end of ends) end();
    assert.equal(t.server.live.subscriptionCount('two'), 0);
  });

  it('delivers the new day when the served trading day changes', async () => {
    const updates: LiveFlowUpdate[] = [];
    const unsubscribe = await t.server.live.subscribe('700.HK', (update) => void updates.push(update));
    try {
      assert.equal(updates[0]!.date, '2024-06-14');
      // Monday's first trade moves the feed clock to 2024-06-17 09:30:10: a new served day.
      await append(trade('700.HK', '2024-06-17T09:30:10+08:00', '321.0', 100, 'up')); // +32,100
      await waitFor(() => updates.length === 2);
      const next = updates[1]!;
      const monday0930 = Date.parse('2024-06-17T09:30:00+08:00') / 1000;
      assert.deepEqual([next.date, next.snapshot], ['2024-06-17', true]);
      assert.deepEqual(next.lines, [{ timestamp: monday0930, inflow: '32100.000' }]);
    } finally {
      unsubscribe();
    }
  });
});
