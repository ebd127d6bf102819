import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { CapflowError } from '../../../model/errors.js';
import { CapitalFlowIntradayRequestSchema } from '../../../protocol/gen/quote_pb.js';
import type { Credential } from '../../auth/credential.js';
import { FlowService } from '../../../service/flow-service.js';
import { MarketClock } from '../../../service/market-clock.js';
import { SqliteFlowStore } from '../../../store/sqlite-flow-store.js';
import { storeTrades, testCredential, trade } from '../../server-test-kit.js';
import { capitalFlowHandler } from './capital-flow.js';
import { referenceCapitalFlowAnswer } from './command24-reference-test-kit.js';

const request = (symbol: string): Uint8Array => toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));

type Outcome = { bytes: number[] } | { status: number; code: number; message: string };

async function outcomeOf(answer: () => Uint8Array | Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { bytes: [...(await answer())] };
  } catch (error) {
    assert.ok(error instanceof CapflowError, `unexpected ${String(error)}`);
    return { status: error.status, code: error.code, message: error.message };
  }
}

describe('command 24 handler: the synchronous answer equals the reference answer', () => {
  let dir: string;
  let store: SqliteFlowStore;
  let flows: FlowService;
  let now = Date.parse('2024-06-14T09:31:30+08:00'); // Friday
  const clock = new MarketClock({ kind: 'wall' }, () => now);
  const everyMarket = testCredential();
  const usOnly = testCredential({ appKey: 'us', markets: ['US'] });
  let handler: ReturnType<typeof capitalFlowHandler>;

  /** Asks the handler (which may load the day), the reference, then the handler again (answered at once). */
  async function assertSame(body: Uint8Array, credential = everyMarket): Promise<Outcome> {
    const context = { credential, connectionId: 1 };
    const first = await outcomeOf(() => handler(body, context));
    const expected = await outcomeOf(() => referenceCapitalFlowAnswer(body, credential, flows));
    assert.deepEqual(first, expected);
    let second: Uint8Array | Promise<Uint8Array> | undefined;
    const synchronous = await outcomeOf(() => (second = handler(body, context)));
    assert.deepEqual(synchronous, expected);
    if ('bytes' in expected) assert.ok(second instanceof Uint8Array, 'a loaded day is answered without a promise');
    return expected;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capflow-cmd24-'));
    store = await SqliteFlowStore.open(dir);
    await storeTrades(store, [
      trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
      trade('700.HK', '2024-06-14T09:31:05+08:00', '320', 500, 'down'),
      trade('AAPL.US', '2024-06-13T09:30:05-04:00', '212.5', 300, 'up'),
    ]);
    flows = await FlowService.open({ store, clock, securities: ['NODATA.HK'] });
    handler = capitalFlowHandler(flows);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the served day, as the minutes pass and as new trades arrive', async () => {
    const first = await assertSame(request('700.HK'));
    assert.ok('bytes' in first);
    now += 60_000;
    await assertSame(request('00700.hk'));
    await storeTrades(store, [trade('700.HK', '2024-06-14T09:32:10+08:00', '320.1', 100, 'up')]);
    await flows.poll();
    await assertSame(request('700.HK'));
    now = Date.parse('2024-06-14T12:30:00+08:00'); // lunch
    await assertSame(request(' 700.HK '));
    now = Date.parse('2024-06-14T16:30:00+08:00'); // after the close
    await assertSame(request('700.HK'));
  });

  it('keeps serving the previous trading day until the next session opens, then the new day', async () => {
    now = Date.parse('2024-06-17T00:00:30+08:00'); // Monday after midnight: still Friday's lines
    const friday = await assertSame(request('700.HK'));
    now = Date.parse('2024-06-17T09:29:59+08:00');
    assert.deepEqual(await assertSame(request('700.HK')), friday);
    now = Date.parse('2024-06-17T09:30:00+08:00'); // Monday opens: a new (empty so far) day
    const monday = await assertSame(request('700.HK'));
    assert.notDeepEqual(monday, friday);
    await storeTrades(store, [trade('700.HK', '2024-06-17T09:30:20+08:00', '321', 200, 'up')]);
    await flows.poll();
    now = Date.parse('2024-06-17T09:31:00+08:00');
    await assertSame(request('700.HK'));
  });

  it('follows a US day across a daylight-saving change of the clock', async () => {
    now = Date.parse('2024-06-13T10:00:00-04:00');
    await assertSame(request('AAPL.US'));
    now = Date.parse('2024-11-04T09:29:00-05:00'); // first Monday after the switch, before the open
    await assertSame(request('AAPL.US'));
  });

  it('fails exactly as the reference: format, permission, unknown symbol, no data, malformed bodies', async () => {
    now = Date.parse('2024-06-14T10:00:00+08:00');
    const failures: Array<[Uint8Array, Credential?]> = [
      [request('700')],
      [request('')],
      [new Uint8Array()],
      [request('700.HK'), usOnly],
      [request('NOPE.HK')],
      [request('NOPE.HK'), usOnly],
      [request('NODATA.HK')],
      [request('７00.HK')], // non-ASCII: through the protobuf decoder
      [Uint8Array.of(0x0a, 0x05, 0x37, 0x30, 0x30, 0x2e, 0x48)], // truncated string
      [Uint8Array.of(0xff, 0xff, 0xff)], // not protobuf
    ];
    for (const [body, credential] of failures) {
      const outcome = await assertSame(body, credential);
      assert.ok('code' in outcome, `expected a failure for ${[...body]}`);
    }
  });

  it('reads bodies the short path does not take through the decoder, with the same answers', async () => {
    const withUnknownField = Uint8Array.from([...request('700.HK'), 0x10, 0x01]);
    const symbolTwice = Uint8Array.from([...request('9988.HK'), ...request('700.HK')]); // the last one wins
    const long = request(`${'A'.repeat(130)}.HK`);
    for (const body of [withUnknownField, symbolTwice, long]) await assertSame(body);
    assert.ok('bytes' in (await assertSame(symbolTwice)));
  });
});
