import type { IncomingHttpHeaders } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { RestClient, type FetchLike } from '../../client/rest-client.js';
import { ROUTES } from '../../contract/routes.js';
import { createCapflowMcpServer } from '../../mcp/capflow-mcp-server.js';
import { HttpErrorCode, httpError } from '../../model/errors.js';
import { usableAt, type Credential, type CredentialRegistry } from '../auth/credential.js';
import { credentialOfMcpToken } from '../auth/mcp-token.js';
import type { HttpApi } from './http-api.js';

export const MCP_PATH = '/mcp';

export interface McpEndpointOptions {
  readonly credentials: CredentialRegistry;
  /** capflow's version, told to MCP clients. */
  readonly version: string;
  readonly now?: () => number;
}

/** The REST routes the tools may reach: the read-only queries a signed (or public) caller may make. */
const TOOL_PATHS: ReadonlySet<string> = new Set(
  Object.values(ROUTES)
    .filter((route) => route.method === 'GET' && route.access === 'signed-or-public')
    .map((route) => route.path),
);

const BEARER = 'Bearer ';

/**
 * `/mcp`: the MCP tools over Streamable HTTP, authenticated by a credential's MCP token
 * (`Authorization: Bearer <mcpToken>`; 401 without a valid one, before any body byte is read).
 * Stateless: each POST is one exchange with a fresh server whose tools call the REST handlers in
 * process as the token's credential, so its market permissions and rate limits apply exactly as
 * on the REST API; the token opens nothing else.
 */
export function registerMcpEndpoint(api: HttpApi, options: McpEndpointOptions): void {
  const now = options.now ?? Date.now;
  const authenticate = (headers: IncomingHttpHeaders): Credential => {
    const authorization = headers.authorization ?? '';
    if (!authorization.startsWith(BEARER)) {
      throw httpError(401, HttpErrorCode.UnknownAccessToken, '/mcp needs Authorization: Bearer <mcpToken> (a credential\'s "mcpToken", or `capflow credentials add --mcp-token`)');
    }
    const credential = credentialOfMcpToken(options.credentials, authorization.slice(BEARER.length));
    if (!credential) throw httpError(401, HttpErrorCode.UnknownAccessToken, 'unknown MCP token');
    // A revoked or expired credential's token is no longer valid either.
    if (!usableAt(credential, now())) throw httpError(401, HttpErrorCode.UnknownAccessToken, 'the MCP token\'s credential has expired or was revoked');
    return credential;
  };

  api.raw(
    'POST',
    MCP_PATH,
    async (context, response) => {
      const credential = authenticate(context.request.headers);
      let message: unknown;
      try {
        message = JSON.parse(context.body.toString('utf8'));
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not JSON' }, id: null }));
        return;
      }
      const inProcess: FetchLike = async (url) => {
        const answer = await api.answerAs(credential, new URL(url), (path) => TOOL_PATHS.has(path));
        return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } });
      };
      const server = createCapflowMcpServer(new RestClient({ httpUrl: 'http://capflow.in-process', fetch: inProcess }), { version: options.version });
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true }) // no session id generator: stateless;
      response.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(context.request, response, message);
    },
    { verifyHeaders: (headers) => void authenticate(headers) },
  );
  // Stateless: no server-initiated stream (GET) and no session to end (DELETE); still only for a valid token.
  for (const method of ['GET', 'DELETE']) {
    api.raw(method, MCP_PATH, (context, response) => {
      authenticate(context.request.headers);
      response.writeHead(405, { allow: 'POST', 'content-type': 'application/json' });
      response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `${method} is not supported: this MCP endpoint is stateless (POST only)` }, id: null }));
    });
  }
}
