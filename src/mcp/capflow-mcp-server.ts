import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { Value } from '@sinclair/typebox/value';
import type { CapflowApi } from './capflow-api.js';
import { METHOD_NOTES, METHOD_NOTES_URI } from './method-notes.js';
import { invalidArgumentsText, toolErrorText } from './tool-errors.js';
import { jsonSchema } from './tool-schemas.js';
import { CAPFLOW_TOOLS, type CapflowTool } from './tools.js';

export interface CapflowMcpServerOptions {
  /** capflow's version, told to clients at initialisation. */
  readonly version: string;
  /** The tools offered (default: every tool). */
  readonly tools?: readonly CapflowTool[];
}

/**
 * capflow's MCP server over any transport: the tools answer through `api` (the REST API as one
 * credential), each with a JSON Schema input and structured output. Failures — capflow's refusals,
 * arguments that do not fit the schema, an unknown tool — are tool errors carrying LongPort's
 * status and code; nothing a client sends ends the server.
 */
export function createCapflowMcpServer(api: CapflowApi, options: CapflowMcpServerOptions): Server {
  const tools = options.tools ?? CAPFLOW_TOOLS;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  // The low-level Server: the tools' schemas are TypeBox (JSON Schema), the project's one schema language.
  const server = new Server(
    { name: 'capflow', title: 'capflow capital flow', version: options.version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'capflow answers capital-flow questions about securities (HK, US, CN, SG): intraday net inflow per minute, distribution by trade size, history, market rankings, and the trades behind a minute. Symbols are TICKER.REGION (700.HK, AAPL.US, 600000.SH); dates YYYY-MM-DD and minutes HH:MM in exchange-local time. Read capflow://method-notes for how the numbers are computed.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: jsonSchema(tool.input) as { type: 'object' },
      outputSchema: jsonSchema(tool.output) as { type: 'object' },
      annotations: { readOnlyHint: true, openWorldHint: false },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) return failure(`3/301600 unknown tool ${JSON.stringify(request.params.name)}: the tools are ${tools.map((one) => one.name).join(', ')}`);
    const args: unknown = request.params.arguments ?? {};
    if (!Value.Check(tool.input, args)) {
      const problems = [...Value.Errors(tool.input, args)].slice(0, 5).map((error) => `${error.path || '(arguments)'}: ${error.message}`);
      return failure(invalidArgumentsText(tool.name, problems));
    }
    try {
      const answer = await tool.run(api, args);
      return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured as Record<string, unknown> };
    } catch (error) {
      return failure(toolErrorText(error));
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [{ uri: METHOD_NOTES_URI, name: 'method-notes', title: 'How capflow computes capital flow', mimeType: 'text/markdown' }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    if (request.params.uri !== METHOD_NOTES_URI) throw new Error(`unknown resource ${request.params.uri}`);
    return { contents: [{ uri: METHOD_NOTES_URI, mimeType: 'text/markdown', text: METHOD_NOTES }] };
  });
  return server;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
