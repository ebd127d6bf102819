/**
 * MCP tool latency on the bundled real day (600000.SH, 2023-02-01, 14,872 trades): the same
 * question asked of the REST API (signed), of `/mcp` over Streamable HTTP (a fresh stateless MCP
 * server per request, answering through the REST handlers in process) and of `capflow mcp` over
 * stdio (a child process signing REST requests), one call in flight at a time; and the trades of
 * one minute explained (`explain_capital_flow`, which classifies the whole day up to the minute).
 *
 *   npm run bench:mcp -- [--calls 300]
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RestClient } from '../src/client/rest-client.js';
import { ingestFile } from '../src/ingest/ingest-file.js';
import { startTestServer, testCredential } from '../src/server/server-test-kit.js';
import { sha256Hex } from '../src/store/credential-crypto.js';
import { fmt, machine, numberFlag, parseFlags, percentile, printTable } from './bench-kit.js';

const calls = numberFlag(parseFlags(), 'calls', 300);
const ROOT = new URL('../../', import.meta.url);
const TOKEN = 'cfm_bench';
const user = {
  ...testCredential({ rateLimits: { 24: { limit: 1_000_000, burst: 1_000_000 }, 25: { limit: 1_000_000, burst: 1_000_000 } } }),
  mcpTokenSha256: sha256Hex(TOKEN),
};

const t = await startTestServer({ credentials: [user], clock: { kind: 'fixed', at: Date.parse('2023-02-02T10:00:00+08:00') } });
await ingestFile(t.store, fileURLToPath(new URL('samples/sse-600000-2023-02-01.csv.gz', ROOT)));
await t.flows.poll();
const rest = new RestClient({ httpUrl: t.httpUrl, credential: user });
const http = new Client({ name: 'bench', version: '1' });
await http.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
const stdio = new Client({ name: 'bench', version: '1' });
await stdio.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [fileURLToPath(new URL('bin/capflow.js', ROOT)), 'mcp'],
    env: { PATH: process.env.PATH ?? '', LONGPORT_APP_KEY: user.appKey, LONGPORT_APP_SECRET: user.appSecret, LONGPORT_ACCESS_TOKEN: user.accessToken, LONGPORT_HTTP_URL: t.httpUrl },
    stderr: 'ignore',
  }),
);

const day = { symbol: '600000.SH', date: '2023-02-01' };
const rows: Record<string, string | number>[] = [];
async function measure(what: string, n: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  rows.push({ call: what, calls: n, 'p50 ms': fmt(percentile(samples, 50), 2), 'p99 ms': fmt(percentile(samples, 99), 2) });
}

await measure('REST intraday (241 lines)', calls, () => rest.intraday(day));
await measure('/mcp capital_flow', calls, () => http.callTool({ name: 'capital_flow', arguments: day }));
await measure('stdio capital_flow', calls, () => stdio.callTool({ name: 'capital_flow', arguments: day }));
await measure('/mcp explain_capital_flow 10:30', Math.max(1, Math.round(calls / 3)), () => http.callTool({ name: 'explain_capital_flow', arguments: { ...day, minute: '10:30' } }));
await measure('/mcp explain_capital_flow 14:56', Math.max(1, Math.round(calls / 3)), () => http.callTool({ name: 'explain_capital_flow', arguments: { ...day, minute: '14:56' } }));
printTable(`MCP tools on 600000.SH 2023-02-01 (${machine()})`, rows);

await http.close();
await stdio.close();
await t.stop();
