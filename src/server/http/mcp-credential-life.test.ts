/**
 * A stored credential's MCP token through its life: `capflow credentials add --mcp-token` prints
 * it and /mcp answers with it (as that credential); `rotate` replaces it (the old one gets 401);
 * `revoke` ends it. Without a server restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callCommand } from '../../cli/cli-test-kit.js';
import { runCredentialsCommand } from '../../cli/credentials-command.js';
import { SqliteCredentialStore } from '../../store/sqlite-credential-store.js';
import { CompositeCredentialRegistry } from '../auth/composite-credential-registry.js';
import { startTestServer, trade, type TestServer } from '../server-test-kit.js';

async function credentials(args: string[]): Promise<{ code: number; appKey?: string; accessToken?: string; mcpToken?: string; stdout: string }> {
  const { code, stdout } = await callCommand(runCredentialsCommand, args);
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(stdout)?.[1];
  return { code, stdout, ...pick('appKey', field('app key')), ...pick('accessToken', field('access token')), ...pick('mcpToken', field('mcp token')) };
}
const pick = (name: string, value: string | undefined): Record<string, string> => (value === undefined ? {} : { [name]: value });

describe("a stored credential's MCP token: add, rotate, revoke", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'capflow-mcp-life-'));
  let t: TestServer;
  let store: SqliteCredentialStore;
  let registry: CompositeCredentialRegistry;

  /** The HTTP status of an MCP initialize with this token. */
  const initializeStatus = async (token: string): Promise<number> => {
    const response = await fetch(`${t.httpUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    await response.arrayBuffer();
    return response.status;
  };

  before(async () => {
    store = await SqliteCredentialStore.open(dataDir);
    registry = await CompositeCredentialRegistry.open({ config: [], store, pollIntervalMs: 100 });
    t = await startTestServer({
      trades: [trade('700.HK', '2024-06-14T09:30:00+08:00', '320.0', 1000, 'up'), trade('AAPL.US', '2024-06-13T09:31:00-04:00', '212.49', 100, 'up')],
      clock: { kind: 'fixed', at: Date.parse('2024-06-14T09:32:00+08:00') },
      server: { credentials: registry },
    });
  });
  after(async () => {
    await t.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('added with --mcp-token: the printed token opens /mcp as that credential, and only /mcp', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK', '--mcp-token']);
    assert.equal(added.code, 0);
    assert.match(added.mcpToken ?? '', /^cfm_/);
    await registry.tick();
    const client = new Client({ name: 'life', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.httpUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${added.mcpToken}` } } }));
    const result = (await client.callTool({ name: 'list_symbols', arguments: {} })) as { structuredContent?: { markets: string[]; symbols: { symbol: string }[] } };
    assert.deepEqual(result.structuredContent?.markets, ['HK']);
    assert.deepEqual(result.structuredContent?.symbols.map((entry) => entry.symbol), ['700.HK']);
    await client.close();
    const withoutFlag = await credentials(['add', '--data', dataDir, '--markets', 'HK']);
    assert.equal(withoutFlag.mcpToken, undefined);
    const listed = await callCommand(runCredentialsCommand, ['list', '--data', dataDir, '--json']);
    assert.deepEqual((JSON.parse(listed.stdout) as { mcpToken: boolean }[]).map((row) => row.mcpToken).sort(), [false, true]);
  });

  it('rotated: a new MCP token works, the old one gets 401; revoked: the token gets 401', async () => {
    const added = await credentials(['add', '--data', dataDir, '--markets', 'HK', '--mcp-token']);
    await registry.tick();
    assert.equal(await initializeStatus(added.mcpToken!), 200);
    const rotated = await credentials(['rotate', added.appKey!, '--data', dataDir]);
    assert.equal(rotated.code, 0);
    assert.ok(rotated.mcpToken && rotated.mcpToken !== added.mcpToken);
    await registry.tick();
    assert.equal(await initializeStatus(added.mcpToken!), 401);
    assert.equal(await initializeStatus(rotated.mcpToken), 200);
    assert.equal((await credentials(['revoke', added.appKey!, '--data', dataDir])).code, 0);
    await registry.tick();
    assert.equal(await initializeStatus(rotated.mcpToken), 401);
  });
});
