import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RestClient } from '../../client/rest-client.js';
import { checkPermissionAndRateLimit, checkToolErrors, checkToolsAgainstRest, MCP_CLOCK, MCP_SECURITIES, mcpHkOnly, mcpTrades, mcpUser } from '../mcp-test-kit.js';
import { HttpErrorCode } from '../../protocol/codes/error-codes.js';
import { sha256Hex } from '../../store/credential-crypto.js';
import type { Credential, CredentialRegistry } from '../auth/credential.js';
import { signedHeaders, startTestServer, testCredential, type TestServer } from '../server-test-kit.js';

const USER_MCP = 'cfm_user-token';
const HK_MCP = 'cfm_hk-token';
const BEARER_MCP = 'cfm_bearer-token';

/** A registry whose credentials the test swaps, as the store-backed one does on rotate and revoke. */
class SwappableRegistry implements CredentialRegistry {
  constructor(public credentials: Credential[]) {}
  byAppKey(appKey: string): Credential | undefined {
    return this.credentials.find((credential) => credential.appKey === appKey);
  }
  all(): Credential[] {
    return [...this.credentials];
  }
  replace(credential: Credential): void {
    this.credentials = this.credentials.map((one) => (one.appKey === credential.appKey ? credential : one));
  }
}

const withMcp = (credential: Credential, token: string): Credential => ({ ...credential, mcpTokenSha256: sha256Hex(token) });
/** A credential with OAuth bearer mode on: its access token alone opens the REST API, its MCP token still must not. */
const bearerUser = withMcp(testCredential({ appKey: 'bearer-user', appSecret: 'b-secret', accessToken: 'b-access', bearer: true }), BEARER_MCP);

async function mcpClient(httpUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'capflow-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${httpUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

async function postMcp(httpUrl: string, headers: Record<string, string>, body = INITIALIZE): Promise<Response> {
  return fetch(`${httpUrl}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
}

describe('/mcp (Streamable HTTP)', () => {
  let t: TestServer;
  const registry = new SwappableRegistry([withMcp(mcpUser, USER_MCP), withMcp(mcpHkOnly, HK_MCP), bearerUser]);
  const clients: Client[] = [];

  before(async () => {
    t = await startTestServer({ credentials: registry, trades: mcpTrades(), securities: MCP_SECURITIES, clock: { kind: 'fixed', at: MCP_CLOCK } });
  });
  after(async () => {
    for (const client of clients) await client.close();
    await t.stop();
  });

  it('lists the tools and answers each as the REST API does for the same day', async () => {
    const client = await mcpClient(t.httpUrl, USER_MCP);
    clients.push(client);
    assert.equal(client.getServerVersion()?.name, 'capflow');
    await checkToolsAgainstRest(client, new RestClient({ httpUrl: t.httpUrl, credential: mcpUser }));
  });

  it('answers failures as tool errors with LongPort status and code, and keeps serving', async () => {
    await checkToolErrors(clients[0]!);
  });

  it("applies the token's credential: its market permissions and rate limits", async () => {
    const client = await mcpClient(t.httpUrl, HK_MCP);
    clients.push(client);
    await checkPermissionAndRateLimit(client);
  });

  it('answers 401 without a valid bearer MCP token, before reading the body', async () => {
    for (const headers of [{}, { authorization: 'Bearer cfm_wrong' }, { authorization: USER_MCP }, { authorization: `Bearer ${mcpUser.accessToken}` }]) {
      const response = await postMcp(t.httpUrl, headers);
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(((await response.json()) as { code: number }).code, HttpErrorCode.UnknownAccessToken);
    }
    assert.equal((await fetch(`${t.httpUrl}/mcp`)).status, 401);
    assert.equal((await fetch(`${t.httpUrl}/mcp`, { headers: { authorization: `Bearer ${USER_MCP}` } })).status, 405);
    await assert.rejects(mcpClient(t.httpUrl, 'cfm_wrong'));
    const good = await postMcp(t.httpUrl, { authorization: `Bearer ${USER_MCP}` });
    assert.equal(good.status, 200);
    const malformed = await postMcp(t.httpUrl, { authorization: `Bearer ${USER_MCP}` }, '{not json');
    assert.equal(malformed.status, 400);
  });

  it('an MCP token never opens the signed endpoints', async () => {
    const query = 'symbol=700.HK';
    const path = '/api/v1/capital-flow/intraday';
    const attempts: Record<string, string>[] = [
      // As a bearer token (the credential has no bearer mode, or has one for its access token only).
      { 'X-Api-Key': mcpUser.appKey, Authorization: `Bearer ${USER_MCP}` },
      { 'X-Api-Key': bearerUser.appKey, Authorization: `Bearer ${BEARER_MCP}` },
      // As the access token of a correctly signed request.
      signedHeaders({ ...mcpUser, accessToken: USER_MCP }, 'GET', path, query),
      // Alone.
      { Authorization: `Bearer ${USER_MCP}` },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${t.httpUrl}${path}?${query}`, { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
    }
    const socketToken = await fetch(`${t.httpUrl}/v1/socket/token`, { headers: signedHeaders({ ...mcpUser, accessToken: USER_MCP }, 'GET', '/v1/socket/token') });
    assert.equal(socketToken.status, 401);
    // The bearer credential's own access token does open REST (so the refusals above are the MCP token's).
    assert.equal((await fetch(`${t.httpUrl}${path}?${query}`, { headers: { 'X-Api-Key': bearerUser.appKey, Authorization: `Bearer ${bearerUser.accessToken}` } })).status, 200);
  });

  it('a rotated or revoked credential\'s MCP token stops working at once', async () => {
    const client = await mcpClient(t.httpUrl, BEARER_MCP);
    clients.push(client);
    assert.notEqual((await client.callTool({ name: 'list_symbols', arguments: {} })).isError, true);
    registry.replace({ ...bearerUser, mcpTokenSha256: sha256Hex('cfm_rotated') });
    await assert.rejects(client.callTool({ name: 'list_symbols', arguments: {} }), /401|Unauthorized|unknown MCP token/i);
    assert.equal((await postMcp(t.httpUrl, { authorization: 'Bearer cfm_rotated' })).status, 200);
    registry.replace({ ...bearerUser, mcpTokenSha256: sha256Hex('cfm_rotated'), expiresAt: Date.now() - 1 });
    assert.equal((await postMcp(t.httpUrl, { authorization: 'Bearer cfm_rotated' })).status, 401);
  });
});
