import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CapitalFlowIntradayRequestSchema, CapitalFlowIntradayResponseSchema } from '../../../protocol/gen/quote_pb.js';
import { parseSymbol } from '../../../model/symbol.js';
import { FlowService } from '../../../service/flow-service.js';
import { MarketClock } from '../../../service/market-clock.js';
import { SqliteFlowStore } from '../../../store/sqlite-flow-store.js';
import { storeTrades, testCredential, trade } from '../../server-test-kit.js';
import { capitalFlowHandler, encodeCapitalFlow } from './capital-flow.js';

const request = (symbol: string): Uint8Array => toBinary(CapitalFlowIntradayRequestSchema, create(CapitalFlowIntradayRequestSchema, { symbol }));

describe('command 24 body cache', () => {
  it('answers byte-identically to a fresh encoding, before and after new trades and as the clock moves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-cache-'));
    const store = await SqliteFlowStore.open(dir);
    let now = Date.parse('2024-06-14T09:31:30+08:00');
    const clock = new MarketClock({ kind: 'wall' }, () => now);
    try {
      await storeTrades(store, [
        trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'),
        trade('700.HK', '2024-06-14T09:31:05+08:00', '320', 500, 'down'),
      ]);
      const flows = await FlowService.open({ store, clock });
      const handler = capitalFlowHandler(flows);
      const context = { credential: testCredential(), connectionId: 1 };
      const symbol = parseSymbol('700.HK')!;
      const fresh = async (): Promise<Uint8Array> => encodeCapitalFlow('700.HK', (await flows.capitalFlow(symbol)).lines);

      const first = await handler(request('700.hk'), context);
      const second = await handler(request('700.HK'), context);
      assert.equal(second, first, 'the second answer comes from the cache (same bytes object)');
      assert.deepEqual(first, await fresh());
      const decoded = fromBinary(CapitalFlowIntradayResponseSchema, first);
      assert.deepEqual(decoded.capitalFlowLines.map((l) => l.inflow), ['320200.000', '160200.000']);

      now += 60_000; // a third line becomes visible: a new body
      const third = await handler(request('700.HK'), context);
      assert.notDeepEqual(third, first);
      assert.deepEqual(third, await fresh());
      assert.equal(fromBinary(CapitalFlowIntradayResponseSchema, third).capitalFlowLines.length, 3);

      await storeTrades(store, [trade('700.HK', '2024-06-14T09:32:10+08:00', '320.1', 100, 'up')]);
      await flows.poll(); // the new trade changes the day's version
      const fourth = await handler(request('700.HK'), context);
      assert.deepEqual(fourth, await fresh());
      assert.equal(fromBinary(CapitalFlowIntradayResponseSchema, fourth).capitalFlowLines[2]!.inflow, '192210.000');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
