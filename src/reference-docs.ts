/**
 * The generated parts of the docs: the REST reference from the OpenAPI document and the CLI
 * reference from the commands' option tables, so neither can drift from what the code does.
 * Each lives between markers in its page; `npm run docs` rewrites them, and a test fails when a
 * page is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandHelp } from './cli/command-spec.js';
import { COMMAND_SPECS } from './cli/main.js';
import { openApiDocument } from './contract/openapi.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BEGIN = '<!-- generated: do not edit below (npm run docs) -->';
const END = '<!-- generated: end -->';

type Json = Record<string, unknown>;

function cell(text: unknown): string {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

/** A schema in one line: `string (date)`, `"0" | "1"`, `Intraday`, `array of Line`. */
function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  if (typeof schema.$ref === 'string') return `\`${schema.$ref.split('/').at(-1)}\``;
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => `\`${String(value)}\``).join(' | ');
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(typeOf).join(' | ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items as Json)}`;
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  const range = [schema.minimum !== undefined ? `≥ ${String(schema.minimum)}` : '', schema.maximum !== undefined ? `≤ ${String(schema.maximum)}` : ''].filter(Boolean).join(', ');
  return `${String(schema.type ?? 'any')}${format}${range ? ` (${range})` : ''}`;
}

/** The answer's payload: the envelope's `data`, or the body itself. */
function answerOf(response: Json | undefined): string {
  const content = (response?.content ?? {}) as Record<string, { schema?: Json }>;
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  if (!mediaType || !media?.schema) return '';
  const properties = media.schema.properties as Record<string, Json> | undefined;
  const payload = properties?.data ? typeOf(properties.data) : typeOf(media.schema);
  return `${mediaType}: ${payload}`;
}

/** The REST reference: every operation, then every named schema with its fields. */
export function restReference(): string {
  const document = openApiDocument('reference') as unknown as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
  const out: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      out.push(`### \`${method.toUpperCase()} ${path}\``, '', String(operation.summary ?? ''));
      if (operation.description) out.push('', String(operation.description));
      const security = (operation.security ?? []) as Json[];
      const access = security.length === 0 ? 'open' : security.some((entry) => Object.keys(entry).length === 0) ? 'signed, or unsigned on a public dashboard' : 'signed';
      out.push('', `Access: ${access}.`);
      const parameters = (operation.parameters ?? []) as Json[];
      if (parameters.length > 0) {
        out.push('', '| parameter | in | required | type | meaning |', '|---|---|---|---|---|');
        for (const parameter of parameters) {
          out.push(`| \`${cell(parameter.name)}\` | ${cell(parameter.in)} | ${parameter.required ? 'yes' : 'no'} | ${cell(typeOf(parameter.schema as Json))} | ${cell(parameter.description)} |`);
        }
      }
      const body = operation.requestBody as Json | undefined;
      if (body) out.push('', `Body: ${cell(body.description)} (${Object.keys((body.content ?? {}) as Json).map((type) => `\`${type}\``).join(', ')})`);
      out.push('', '| status | answer |', '|---|---|');
      for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, Json>)) {
        const answer = answerOf(response);
        out.push(`| ${status} | ${cell(response.description)}${answer ? ` — ${cell(answer)}` : ''} |`);
      }
      out.push('');
    }
  }
  out.push('## Schemas', '');
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    out.push(`### \`${name}\``, '');
    if (schema.description) out.push(String(schema.description), '');
    const properties = schema.properties as Record<string, Json> | undefined;
    if (properties) {
      const required = new Set((schema.required ?? []) as string[]);
      out.push('| field | type | meaning |', '|---|---|---|');
      for (const [field, property] of Object.entries(properties)) {
        out.push(`| \`${field}\`${required.has(field) ? '' : ' (optional)'} | ${cell(typeOf(property))} | ${cell(property.description)} |`);
      }
    } else out.push(`A ${typeOf(schema)}.`);
    out.push('');
  }
  return out.join('\n');
}

/** The CLI reference: every command's help text, as `capflow COMMAND --help` prints it. */
export function cliReference(): string {
  return COMMAND_SPECS.map((spec) => `### \`capflow ${spec.name}\`\n\n\`\`\`text\n${commandHelp(spec).trimEnd()}\n\`\`\`\n`).join('\n');
}

export const GENERATED_PAGES: ReadonlyArray<{ file: string; generate: () => string }> = [
  { file: 'docs/rest.md', generate: restReference },
  { file: 'docs/cli.md', generate: cliReference },
];

/** The page with its generated part replaced by `generated`. */
export function withGenerated(page: string, generated: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`the page has no "${BEGIN}" … "${END}" markers`);
  return `${page.slice(0, begin + BEGIN.length)}\n\n${generated.trim()}\n\n${page.slice(end)}`;
}

/** `node dist/reference-docs.js`: rewrites the generated parts of the pages. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const { file, generate } of GENERATED_PAGES) {
    const path = resolve(ROOT, file);
    writeFileSync(path, withGenerated(readFileSync(path, 'utf8'), generate()));
    console.log(`wrote ${file}`);
  }
}
