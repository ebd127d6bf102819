import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSymbol } from '../../model/symbol.js';
import { signedHeaders, startTestServer, testCredential, type TestServer } from '../server-test-kit.js';
import { ingestBodyChoice } from './ingest-body.js';

const L2_BODY = [
  '\uFEFFSecurityID,TradeTime,TradePrice,TradeQty,TradeBSFlag,BidApplSeqNum,OfferApplSeqNum,Market,ApplSeqNum',
  '600000,2023.02.01T09:25:00.000,7.30,500,N,1,2,SH,1', // call auction: no side, outside the lines
  '600000,2023.02.01T09:30:01.000,7.299999999,1000,B,10,5,SH,2', // exchange flag B: 7,300.000 in
  '600000,2023.02.01T09:30:02.000,7.31,2000,,20,30,SH,3', // no flag: sell order 30 came later → down, 14,620.000 out
  '600000,2023.02.01T09:30:03.000,oops,1,B,1,2,SH,4',
].join('\r\n');

const MAPPED_BODY = ['Code,Time,Px,Qty,Side', '700.HK,09:30:05.120,320.20,1000,B', '700.HK,093110000,320.00,500,S', '700.HK,09:32:00,320.00,100,X'].join('\n');

describe('POST /v1/ingest with a feed format', () => {
  const writer = testCredential();
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ credentials: [writer], clock: { kind: 'feed' } });
  });
  after(() => t.stop());

  const post = async (query: string, body: string) => {
    const bytes = new TextEncoder().encode(body);
    const response = await fetch(`${t.httpUrl}/v1/ingest?${query}`, {
      method: 'POST',
      headers: signedHeaders(writer, 'POST', '/v1/ingest', query, bytes),
      body: bytes,
    });
    return { status: response.status, json: (await response.json()) as { code: number; message?: string; data: Record<string, unknown> } };
  };

  it('format=l2 reads a Level-2 body: exchange flags, the order-sequence rule, auction prints, rejections', async () => {
    const { status, json } = await post('format=l2', L2_BODY);
    assert.equal(status, 200, JSON.stringify(json));
    // S1, the 09:25 opening call auction's print, is stored but before the first session.
    assert.deepEqual([json.data.accepted, json.data.outsideSessions, json.data.rejected], [2, 1, 1]);
    const stored = await t.store.tradesOfDay('600000.SH', '2023-02-01');
    assert.deepEqual(
      stored.map((trade) => [trade.tradeId, trade.direction, trade.tradeType, trade.classification]),
      [
        ['S1', undefined, 'U', undefined],
        ['S2', 2, undefined, undefined],
        ['S3', 1, undefined, 'order-sequence'],
      ],
    );
    const flow = await t.flows.capitalFlow(parseSymbol('600000.SH')!);
    assert.equal(flow.lines.at(-1)?.inflow, '-7320.000'); // 7,300 − 14,620
  });

  it('a column mapping reads a vendor CSV with local times of day and side codes', async () => {
    const query = new URLSearchParams({
      format: 'csv',
      map: 'symbol=Code,timestamp=Time,price=Px,volume=Qty,direction=Side',
      'time-zone': 'Asia/Hong_Kong',
      date: '2024-06-14',
      sides: 'B=up,S=down',
    }).toString();
    const { status, json } = await post(query, MAPPED_BODY);
    assert.equal(status, 200, JSON.stringify(json));
    assert.deepEqual([json.data.accepted, json.data.rejected], [2, 1]); // side code X is unknown
    const stored = await t.store.tradesOfDay('700.HK', '2024-06-14');
    assert.deepEqual(
      stored.map((trade) => [trade.timestamp, trade.direction]),
      [
        [Date.parse('2024-06-14T09:30:05.120+08:00'), 2],
        [Date.parse('2024-06-14T09:31:10+08:00'), 1],
      ],
    );
    const flow = await t.flows.capitalFlow(parseSymbol('700.HK')!);
    assert.equal(flow.lines.at(-1)?.inflow, '160200.000'); // 320,200 − 160,000
  });

  it('answers 400 with the parameter at fault, storing nothing', async () => {
    for (const [query, message] of [
      ['format=lobster', /file pair/],
      ['format=xml', /format must be/],
      ['format=l2&map=price%3DPx', /map does not apply/],
      ['format=csv&map=colour%3DX', /unknown field/],
      ['classify=magic', /classify must be/],
      ['format=csv&time-zone=Mars%2FOlympus', /unknown time zone/],
    ] as const) {
      const before = await t.store.lastSeq();
      const { status, json } = await post(query, MAPPED_BODY);
      assert.equal(status, 400, query);
      assert.equal(json.code, 301600, query);
      assert.match(json.message ?? '', message, query);
      assert.equal(await t.store.lastSeq(), before, query);
    }
  });
});

describe('ingest body parameters', () => {
  it('NDJSON without parameters, canonical CSV, a chosen classification method', () => {
    assert.deepEqual(ingestBodyChoice(new URLSearchParams('')), { kind: 'canonical', format: 'ndjson' });
    assert.deepEqual(ingestBodyChoice(new URLSearchParams('format=csv&classify=clnv')), { kind: 'canonical', format: 'csv', classification: 'clnv' });
    assert.deepEqual(ingestBodyChoice(new URLSearchParams('format=l2&date=2023-02-01')), { kind: 'l2', date: '2023-02-01' });
    assert.deepEqual(ingestBodyChoice(new URLSearchParams('symbol=700.HK')), { kind: 'mapped', format: 'ndjson', mapping: { columns: {}, symbol: '700.HK' } });
  });
});
