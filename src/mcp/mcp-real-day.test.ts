/**
 * A real day through the MCP tools: the bundled SSE Level-2 trades of 600000.SH on 2023-02-01
 * (samples/README.md), whose exchange flags give independently computed totals — buyer-initiated
 * turnover 53,645,566.20 CNY, seller-initiated 78,030,247.06, net −24,384,680.860. Every minute
 * explained adds up to its line's change, and all minutes together to the day.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ingestFile } from '../ingest/ingest-file.js';
import { sha256Hex } from '../store/credential-crypto.js';
import { startTestServer, type TestServer } from '../server/server-test-kit.js';
import { mcpUser } from '../server/mcp-test-kit.js';

const SAMPLE = fileURLToPath(new URL('../../samples/sse-600000-2023-02-01.csv.gz', import.meta.url));
const TOKEN = 'cfm_real-day';

/** Exact sum of 3-place amounts, as thousandths. */
const thousandths = (amount: string): bigint => BigInt(amount.replace('.', ''));

describe('a real day (600000.SH, 2023-02-01) through the MCP tools', () => {
  let t: TestServer;
  let client: Client;

  before(async () => {
    t = await startTestServer({
      credentials: [{ ...mcpUser, mcpTokenSha256: sha256Hex(TOKEN), rateLimits: new Map([[24, { limit: 10_000, burst: 10_000 }]]) }],
      clock: { kind: 'fixed', at: Date.parse('2023-02-02T10:00:00+08:00') },
    });
    await ingestFile(t.store, SAMPLE);
    await t.flows.poll();
    client = new Client({ name: 'real-day', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  });
  after(async () => {
    await client.close();
    await t.stop();
  });

  it("the day's lines end at the exchange flags' net inflow, and every minute's trades add up to its change", async (context) => {
    const flow = (await client.callTool({ name: 'capital_flow', arguments: { symbol: '600000.SH', date: '2023-02-01' } })).structuredContent as { lines: { timestamp: number; inflow: string }[] };
    assert.equal(flow.lines.length, 241);
    assert.equal(flow.lines.at(-1)!.inflow, '-24384680.860');
    let inflow = 0n;
    let outflow = 0n;
    let net = 0n;
    const started = performance.now();
    for (const line of flow.lines) {
      const minute = new Date((line.timestamp + 8 * 3600) * 1000).toISOString().slice(11, 16);
      const result = await client.callTool({ name: 'explain_capital_flow', arguments: { symbol: '600000.SH', date: '2023-02-01', minute, limit: 1 } });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      const answer = result.structuredContent as { inflow: string; change: string; sums: { inflow: string; outflow: string; net: string } };
      assert.equal(answer.inflow, line.inflow, minute);
      assert.equal(answer.sums.net, answer.change, minute);
      inflow += thousandths(answer.sums.inflow);
      outflow += thousandths(answer.sums.outflow);
      net += thousandths(answer.sums.net);
    }
    const perCall = (performance.now() - started) / flow.lines.length;
    assert.deepEqual([inflow, outflow, net], [53_645_566_200n, 78_030_247_060n, -24_384_680_860n]);
    context.diagnostic(`explain_capital_flow over /mcp on a 14,872-trade day: ${perCall.toFixed(1)} ms per call (${flow.lines.length} calls)`);
  });
});
