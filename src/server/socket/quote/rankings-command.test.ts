import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CapflowCommand } from '../../../protocol/capflow-command.js';
import { encodeBody } from '../../../protocol/body-codec.js';
import { AuthRequestSchema } from '../../../protocol/gen/control_pb.js';
import { CapitalFlowRankingsRequestSchema, CapitalFlowRankingsResponseSchema, RankBy } from '../../../protocol/gen/capflow_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import { PacketType, type Packet } from '../../../protocol/packet.js';
import { encodePacket } from '../../../protocol/packet-codec.js';
import { SecurityDirectory } from '../../../service/rankings/security-directory.js';
import type { Credential } from '../../auth/credential.js';
import { fetchOtp, signedHeaders, startTestServer, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { wsClient } from '../transport/transport-test-kit.js';

// 2024-06-05 and 06-06, CN, clock after the close of 06-06.
const TRADES = [
  trade('600000.SH', '2024-06-05T09:30:10+08:00', '10', 20_000, 'up'), //   +200,000
  trade('600000.SH', '2024-06-06T10:00:00+08:00', '10', 1_000, 'down'), //   -10,000
  trade('000001.SZ', '2024-06-06T10:00:00+08:00', '10.5', 100, 'up'), //      +1,050
  trade('600519.SH', '2024-06-06T10:00:00+08:00', '1600', 100, 'down'), //  -160,000
];
const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', appSecret: 'hk-secret', accessToken: 'hk-token', markets: ['HK'] });

async function connect(t: TestServer, credential: Credential): Promise<{ close: () => void; call: (body: Uint8Array) => Promise<Packet> }> {
  const client = await wsClient(`${t.wsUrl}?version=1&codec=1&platform=9`);
  let requestId = 0;
  const send = async (cmd: number, body: Uint8Array): Promise<Packet> => {
    client.ws.send(encodePacket({ type: PacketType.Request, cmd, requestId: ++requestId, timeoutMs: 5000, body, gzip: false }));
    return client.next();
  };
  await send(2, encodeBody(AuthRequestSchema, { token: await fetchOtp(t.httpUrl, credential) }));
  return { close: () => client.ws.close(), call: (body) => send(CapflowCommand.QueryCapitalFlowRankings, body) };
}

const request = (fields: Parameters<typeof create<typeof CapitalFlowRankingsRequestSchema>>[1]) =>
  toBinary(CapitalFlowRankingsRequestSchema, create(CapitalFlowRankingsRequestSchema, fields));

describe('socket command 211 (rankings)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly],
      trades: TRADES,
      clock: { kind: 'fixed', at: Date.parse('2024-06-06T15:30:00+08:00') },
      server: { rest: { securities: new SecurityDirectory([{ symbol: '600519.SH', name: 'Kweichow Moutai', sector: 'Liquor' }]) } },
    });
  });
  after(() => t.stop());

  it('answers what REST answers, dates as YYYYMMDD', async () => {
    const { call, close } = await connect(t, user);
    try {
      const answer = await call(request({ market: 'CN', days: 3 }));
      assert.equal(answer.type === PacketType.Response && answer.status, 0);
      const response = fromBinary(CapitalFlowRankingsResponseSchema, answer.body);
      assert.deepEqual([response.market, response.date, response.days, response.dates, response.total], ['CN', '20240606', 3, ['20240604', '20240605', '20240606'], 3]);
      assert.deepEqual(
        response.items.map((item) => [item.rank, item.symbol, item.name, item.value]),
        [
          [1, '600000.SH', '', '190000.000'],
          [2, '000001.SZ', '', '1050.000'],
          [3, '600519.SH', 'Kweichow Moutai', '-160000.000'],
        ],
      );
      const query = 'market=CN&days=3';
      const rest = (await (await fetch(`${t.httpUrl}/api/v1/capital-flow/rankings?${query}`, { headers: signedHeaders(user, 'GET', '/api/v1/capital-flow/rankings', query) })).json()) as {
        data: { items: Array<{ symbol: string; value: string; inflow: string; outflow: string }> };
      };
      assert.deepEqual(
        response.items.map((item) => [item.symbol, item.value, item.inflow, item.outflow]),
        rest.data.items.map((item) => [item.symbol, item.value, item.inflow, item.outflow]),
      );

      const asc = fromBinary(CapitalFlowRankingsResponseSchema, (await call(request({ market: 'cn', date: '20240606', ascending: true, limit: 1, by: RankBy.MAIN_FORCE }))).body);
      assert.deepEqual([asc.by, asc.convention, asc.items.map((item) => [item.rank, item.symbol, item.value])], [RankBy.MAIN_FORCE, 'longport', [[1, '000001.SZ', '0.000']]]);
    } finally {
      close();
    }
  });

  it('refuses bad requests (3/301600) and markets outside the credential (7/301604)', async () => {
    const { call, close } = await connect(t, hkOnly);
    try {
      for (const [fields, status, code] of [
        [{ market: 'XX' }, 3, 301600],
        [{ market: 'HK', days: 4 }, 3, 301600],
        [{ market: 'HK', limit: 501 }, 3, 301600],
        [{ market: 'HK', date: '20241225' }, 3, 301600],
        [{ market: 'CN' }, 7, 301604],
      ] as const) {
        const answer = await call(request(fields));
        assert.equal(answer.type === PacketType.Response && answer.status, status, JSON.stringify(fields));
        assert.equal(Number(fromBinary(ErrorSchema, answer.body).code), code);
      }
    } finally {
      close();
    }
  });
});
