import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RestClient } from '../client/rest-client.js';
import { checkPermissionAndRateLimit, checkToolErrors, checkToolsAgainstRest, MCP_CLOCK, MCP_SECURITIES, mcpHkOnly, mcpTrades, mcpUser } from '../server/mcp-test-kit.js';
import { startTestServer, type TestServer } from '../server/server-test-kit.js';

const BIN = fileURLToPath(new URL('../../bin/capflow.js', import.meta.url));

/** `capflow mcp` as a child process, as Claude Desktop starts it: the LONGPORT_* variables name the credential and the server. */
async function stdioClient(httpUrl: string, credential: { appKey: string; appSecret: string; accessToken: string }): Promise<Client> {
  const client = new Client({ name: 'capflow-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      env: {
        PATH: process.env.PATH ?? '',
        LONGPORT_APP_KEY: credential.appKey,
        LONGPORT_APP_SECRET: credential.appSecret,
        LONGPORT_ACCESS_TOKEN: credential.accessToken,
        LONGPORT_HTTP_URL: httpUrl,
      },
      stderr: 'ignore',
    }),
  );
  return client;
}

describe('capflow mcp (stdio)', () => {
  let t: TestServer;
  const clients: Client[] = [];

  before(async () => {
    t = await startTestServer({ credentials: [mcpUser, mcpHkOnly], trades: mcpTrades(), securities: MCP_SECURITIES, clock: { kind: 'fixed', at: MCP_CLOCK } });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await t.stop();
  });

  it('lists the tools and answers each as the REST API does for the same day', async () => {
    const client = await stdioClient(t.httpUrl, mcpUser);
    clients.push(client);
    assert.equal(client.getServerVersion()?.name, 'capflow');
    await checkToolsAgainstRest(client, new RestClient({ httpUrl: t.httpUrl, credential: mcpUser }));
  });

  it('answers failures as tool errors with LongPort status and code, and keeps serving', async () => {
    await checkToolErrors(clients[0]!);
  });

  it("applies the credential's market permissions and rate limits", async () => {
    const client = await stdioClient(t.httpUrl, mcpHkOnly);
    clients.push(client);
    await checkPermissionAndRateLimit(client);
  });

  it('a wrong credential or an unreachable server is a tool error, not a crash', async () => {
    const wrong = await stdioClient(t.httpUrl, { ...mcpUser, accessToken: 'not-the-token' });
    clients.push(wrong);
    const refused = (await wrong.callTool({ name: 'capital_flow', arguments: { symbol: '700.HK' } })) as { isError?: boolean; content: { text: string }[] };
    assert.equal(refused.isError, true);
    assert.match(refused.content[0]!.text, /^3\/401002 /);
    const nowhere = await stdioClient('http://127.0.0.1:9', mcpUser);
    clients.push(nowhere);
    const unreachable = (await nowhere.callTool({ name: 'list_symbols', arguments: {} })) as { isError?: boolean; content: { text: string }[] };
    assert.equal(unreachable.isError, true);
    assert.match(unreachable.content[0]!.text, /cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
