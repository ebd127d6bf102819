import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createCapflowMcpServer } from '../mcp/capflow-mcp-server.js';
import { commandHelp, HELP_OPTION, readCommandLine, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, resolveConnection, restClientOf } from './server-connection.js';

const OPTIONS = { ...CONNECTION_OPTIONS, help: HELP_OPTION } as const;

export const MCP_COMMAND = {
  name: 'mcp',
  summary: 'a Model Context Protocol server over stdio, for AI assistants (Claude Desktop, Cursor, Cherry Studio)',
  usage: [''],
  description:
    "Its tools (capital_flow, capital_distribution, capital_flow_history, capital_flow_rankings, explain_capital_flow, list_symbols) answer from a running capflow's REST API, signed as your credential, so your markets and rate limits apply. Nothing but the protocol is written to stdout; it ends when the client closes stdin.",
  options: OPTIONS,
  notes: CONNECTION_USAGE,
} satisfies CommandSpec;
const USAGE = commandHelp(MCP_COMMAND);

/** capflow's version (package.json), told to MCP clients. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `capflow mcp`: serves MCP on stdin/stdout until the client closes stdin. */
export async function runMcpCommand(
  argv: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  streams: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream } = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  const parsed = readCommandLine(MCP_COMMAND, argv, io, false);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const connection = resolveConnection(values, env);
  if ('missing' in connection) {
    io.stderr.write(`capflow mcp: missing ${connection.missing.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const server = createCapflowMcpServer(restClientOf(connection), { version: packageVersion() });
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  const transport = new StdioServerTransport(streams.stdin as never, streams.stdout as never);
  // The SDK's stdio transport does not notice the end of stdin by itself: a client that closes it is done.
  streams.stdin.once('end', () => void server.close());
  await server.connect(transport);
  io.stderr.write(`capflow mcp: serving ${connection.url} as ${connection.appKey} over stdio\n`);
  await closed;
  return 0;
}
