import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CapflowCommand } from '../../../protocol/capflow-command.js';
import { encodeBody } from '../../../protocol/body-codec.js';
import { AuthRequestSchema } from '../../../protocol/gen/control_pb.js';
import { BatchCapitalFlowRequestSchema, BatchCapitalFlowResponseSchema, BatchKind } from '../../../protocol/gen/capflow_pb.js';
import { CapitalDistributionResponseSchema, SecurityRequestSchema } from '../../../protocol/gen/quote_pb.js';
import { PacketType, type Packet } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import type { Credential } from '../../auth/credential.js';
import { fetchOtp, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { wsClient, type WsTestClient } from '../transport/transport-test-kit.js';

// 600000.SH on 2024-06-05, clock after the close. Eastmoney tiers of each trade in the comments.
const TRADES = [
  trade('600000.SH', '2024-06-05T09:30:10+08:00', '10', 20_000, 'up'), //     200,000 large
  trade('600000.SH', '2024-06-05T09:30:40+08:00', '10', 8_000, 'down'), //     80,000 medium
  trade('600000.SH', '2024-06-05T09:32:05+08:00', '100', 12_000, 'up'), // 1,200,000 super-large
  trade('600000.SH', '2024-06-05T10:00:00+08:00', '1', 150_000, 'down'), //  150,000 large (shares)
  trade('600000.SH', '2024-06-05T10:01:00+08:00', '3', 1_000, 'up'), //        3,000 small
  trade('000001.SZ', '2024-06-05T10:00:00+08:00', '10', 100, 'up'), //        1,000 small
];
const NOW = Date.parse('2024-06-05T15:30:00+08:00');
const user = testCredential();
const limited = testCredential({ appKey: 'limited', accessToken: 'limited-token', rateLimits: { 25: { limit: 1, burst: 1 } } });

async function connect(t: TestServer, credential: Credential): Promise<{ client: WsTestClient; call: (cmd: number, body: Uint8Array) => Promise<Packet> }> {
  const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
  let requestId = 0;
  const call = async (cmd: number, body: Uint8Array): Promise<Packet> => {
    client.ws.send(encodePacket({ type: PacketType.Request, cmd, requestId: ++requestId, timeoutMs: 5000, body, gzip: false }));
    return client.next();
  };
  const auth = await call(2, encodeBody(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, credential) }));
  assert.equal(auth.type === PacketType.Response && auth.status, 0);
  return { client, call };
}

const batch = (symbols: string[], kind: BatchKind) => toBinary(BatchCapitalFlowRequestSchema, create(BatchCapitalFlowRequestSchema, { symbols, kind }));

describe('socket command 210 (batch) and command 25 under a configured convention', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, limited],
      trades: TRADES,
      clock: { kind: 'fixed', at: NOW },
      server: { tiers: { name: 'eastmoney', days: 20 } },
    });
  });
  after(() => t.stop());

  it('command 25 keeps three tiers: eastmoney super-large is folded into large', async () => {
    const { client, call } = await connect(t, user);
    try {
      const answer = await call(25, toBinary(SecurityRequestSchema, create(SecurityRequestSchema, { symbol: '600000.SH' })));
      assert.equal(answer.type === PacketType.Response && answer.status, 0);
      const distribution = fromBinary(CapitalDistributionResponseSchema, answer.body);
      assert.deepEqual(distribution.capitalIn, { $typeName: distribution.capitalIn?.$typeName, large: '1400000.000', medium: '0.000', small: '3000.000' });
      assert.deepEqual(distribution.capitalOut, { $typeName: distribution.capitalOut?.$typeName, large: '150000.000', medium: '80000.000', small: '0.000' });
      assert.equal(distribution.timestamp, BigInt(Date.parse('2024-06-05T10:01:00+08:00') / 1000));
    } finally {
      client.ws.close();
    }
  });

  it('answers command 24 lines of several symbols with inline errors in request order', async () => {
    const { client, call } = await connect(t, user);
    try {
      const answer = await call(CapflowCommand.BatchCapitalFlow, batch(['600000.sh', 'BAD', 'ZZZZ.SH', '000001.SZ'], BatchKind.INTRADAY));
      assert.equal(answer.type === PacketType.Response && answer.status, 0);
      const response = fromBinary(BatchCapitalFlowResponseSchema, answer.body);
      assert.equal(response.symbolLimit, 50);
      assert.deepEqual(
        response.results.map((r) => [r.symbol, r.status, r.code, r.intraday?.capitalFlowLines.length ?? null]),
        [
          ['600000.SH', 0, 0, 241],
          ['BAD', 3, 301600, null],
          ['ZZZZ.SH', 7, 301600, null],
          ['000001.SZ', 0, 0, 241],
        ],
      );
      assert.equal(response.results[0]?.intraday?.capitalFlowLines.at(-1)?.inflow, '1173000.000'); // 1,403,000 in − 230,000 out
      assert.equal(response.results[3]?.intraday?.symbol, '000001.SZ');

      const empty = await call(CapflowCommand.BatchCapitalFlow, batch([], BatchKind.INTRADAY));
      assert.deepEqual([empty.type === PacketType.Response && empty.status, empty.type === PacketType.Response && empty.body.length > 0], [3, true]);
      const tooMany = await call(CapflowCommand.BatchCapitalFlow, batch(Array.from({ length: 51 }, () => '600000.SH'), BatchKind.INTRADAY));
      assert.equal(tooMany.type === PacketType.Response && tooMany.status, 3);
    } finally {
      client.ws.close();
    }
  });

  it('distribution results draw on command 25 tokens: the fourth is refused with 3/301606 (a bucket of 2 × 1 + 1), as is the next single call', async () => {
    const { client, call } = await connect(t, limited);
    try {
      const answer = await call(CapflowCommand.BatchCapitalFlow, batch(['600000.SH', '000001.SZ', '600000.SH', '000001.SZ'], BatchKind.DISTRIBUTION));
      const response = fromBinary(BatchCapitalFlowResponseSchema, answer.body);
      assert.deepEqual(
        response.results.map((r) => [r.status, r.code]),
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [3, 301606],
        ],
      );
      assert.equal(response.results[1]?.distribution?.capitalIn?.small, '1000.000');
      const single = await call(25, toBinary(SecurityRequestSchema, create(SecurityRequestSchema, { symbol: '600000.SH' })));
      assert.equal(single.type === PacketType.Response && single.status, 3);
    } finally {
      client.ws.close();
    }
  });
});
