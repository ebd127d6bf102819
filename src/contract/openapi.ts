/**
 * The OpenAPI 3.1 description of capflow's HTTP API, generated from the route table and the
 * payload schemas (nothing in it is written twice).
 */
import type { TSchema } from '@sinclair/typebox';
import { ApiLimits } from './limits.js';
import { ROUTES, type Access, type ErrorCase, type RateLimit, type Route } from './routes.js';
import { ErrorBody, NAMED_SCHEMAS } from './schemas.js';

type Json = Record<string, unknown>;

const COMPONENT = '#/components/schemas/';
const ref = (name: string): Json => ({ $ref: `${COMPONENT}${name}` });

const SIGNED = { appKey: [], accessToken: [], timestamp: [], signature: [] };
const SECURITY: Record<Access, Json[]> = {
  signed: [SIGNED],
  // Anonymous only when the server runs as a public dashboard (`serve --web-credential`).
  'signed-or-public': [SIGNED, {}],
  stream: [SIGNED, { streamToken: [] }, {}],
  none: [{}],
};

const TAGS = [
  { name: 'capital flow', description: 'Capital flow, distribution, size tiers and history, over the same engine, credentials and rate limits as the socket API (commands 24 and 25).' },
  { name: 'live stream', description: 'Live lines of the served day as Server-Sent Events.' },
  { name: 'socket', description: "The LongPort socket protocol's HTTP side: one-time passwords for the quote socket." },
  { name: 'ingest', description: 'Trades into the store over HTTP.' },
  { name: 'operations', description: 'Health, readiness, metrics and this description.' },
];

const INFO_DESCRIPTION = [
  'Capital flow (net inflow per minute), daily history and distribution by trade size, over the same engine, credentials and rate limits as the LongPort-compatible socket API (commands 24 and 25).',
  '',
  'Every successful JSON answer is the LongPort envelope `{"code":0,"message":"","data":…}`; a failure is `{"code":…,"message":…}` with the HTTP status of the error.',
  '',
  `**Authentication** is the LongPort request signature of \`GET /v1/socket/token\`: headers \`X-Api-Key\` (app key), \`Authorization\` (access token), \`X-Timestamp\` (Unix seconds, optionally with a fraction, or exactly 13 digits of Unix milliseconds; within ±${ApiLimits.timestampWindowSeconds} s of the server clock) and \`X-Api-Signature: HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=HEX\`, where HEX is the hex HMAC-SHA256, keyed with the app secret, of \`HMAC-SHA256|\` + sha1hex(\`METHOD|PATH|QUERY|authorization:TOKEN\\nx-api-key:KEY\\nx-timestamp:TS\\n|authorization;x-api-key;x-timestamp|\` + sha1hex(body) when there is a body). The official SDKs' signing code produces exactly this. A credential configured with \`bearer\` also accepts \`Authorization: Bearer TOKEN\` without a signature (OAuth mode; \`X-Timestamp\` optional).`,
  '',
  'When the server runs with `--web-credential APPKEY` (a public dashboard), requests without these headers act as that credential.',
  '',
  'Amounts are decimal strings with exactly three decimals, in the trading currency of the security (HKD, USD, CNY, SGD). Timestamps are Unix seconds of the minute start; `time` is the same instant in exchange-local ISO 8601 with its offset.',
].join('\n');

const SECURITY_SCHEMES = {
  appKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'the app key' },
  accessToken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'the access token, as is (no scheme); `Bearer TOKEN` is accepted without a signature for credentials configured with `bearer`',
  },
  timestamp: { type: 'apiKey', in: 'header', name: 'X-Timestamp', description: 'Unix seconds, e.g. `1718328600.123`, or 13 digits of Unix milliseconds' },
  signature: { type: 'apiKey', in: 'header', name: 'X-Api-Signature', description: 'the LongPort request signature (see the description above)' },
  streamToken: { type: 'apiKey', in: 'query', name: 'token', description: 'single-use stream token from `POST /api/v1/stream-token`' },
};

const CANONICAL = new Map(NAMED_SCHEMAS.map((schema) => [schema.$id as string, schema]));

/** Keywords whose values are schemas, or maps or lists of schemas. */
const SUBSCHEMA = new Set(['items', 'not', 'additionalProperties', 'contains', 'if', 'then', 'else']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs']);
const SUBSCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

/**
 * A TypeBox schema as plain JSON Schema 2020-12 for the document: named schemas become `$ref`s
 * (keeping a differing description or examples beside the reference), an `anyOf` of string
 * constants becomes an `enum`, and TypeBox's own symbol keys are left out.
 */
export function documentSchema(schema: TSchema, root = false): Json {
  const id = schema.$id as string | undefined;
  if (id !== undefined && !root) {
    const canonical = CANONICAL.get(id);
    if (!canonical) throw new Error(`schema ${id} is not among NAMED_SCHEMAS`);
    const siblings: Json = {};
    for (const key of ['description', 'examples'] as const) {
      if (schema[key] !== undefined && JSON.stringify(schema[key]) !== JSON.stringify(canonical[key])) siblings[key] = schema[key];
    }
    return { ...ref(id), ...siblings };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id') continue;
    if (SUBSCHEMA.has(key) && typeof value === 'object' && value !== null) out[key] = documentSchema(value as TSchema);
    else if (SUBSCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(value as Record<string, TSchema>).map(([name, sub]) => [name, documentSchema(sub)]));
    else if (SUBSCHEMA_LISTS.has(key)) out[key] = (value as TSchema[]).map((sub) => documentSchema(sub));
    else out[key] = value;
  }
  const members = out['anyOf'] as Json[] | undefined;
  if (members && members.length > 0 && members.every((member) => typeof member['const'] === 'string' && member['$ref'] === undefined)) {
    const { anyOf: _anyOf, ...rest } = out;
    return { type: 'string', enum: members.map((member) => member['const']), ...rest };
  }
  return out;
}

function rateLimitSentence(limit: RateLimit | undefined): string | undefined {
  if (limit === undefined) return undefined;
  if ('command' in limit) return `Each call takes one token of command ${limit.command}'s rate limit (per credential, shared with the socket API).`;
  if ('perSymbol' in limit) return 'Each symbol takes one token of the rate limit of the command it mirrors (per credential, shared with the socket API).';
  return "Each call takes one token of the socket-token endpoints' rate limit (`token` in the credential's `rateLimits`).";
}

/** Error answers grouped by HTTP status: `CODE: when; CODE: when`, each with the Error body. */
function errorResponses(errors: readonly ErrorCase[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCase[]>();
  for (const error of errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, cases]) => [
        String(status),
        {
          description: cases.map((error) => `${error.code}: ${error.when}`).join('; '),
          content: { 'application/json': { schema: ref(ErrorBody.$id as string) } },
          'x-error-codes': [...new Set(cases.map((error) => error.code))],
        },
      ]),
  );
}

function answerResponses(route: Route): Record<string, Json> {
  const answer = route.answer;
  switch (answer.kind) {
    case 'envelope':
      return {
        '200': {
          description: answer.description,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['code', 'message', 'data'],
                properties: { code: { const: 0 }, message: { type: 'string' }, data: documentSchema(answer.data) },
              },
            },
          },
        },
      };
    case 'json':
      return Object.fromEntries(
        Object.entries(answer.statuses).map(([status, description]) => [status, { description, content: { 'application/json': { schema: documentSchema(answer.schema) } } }]),
      );
    case 'event-stream':
      return {
        '200': {
          description: answer.description,
          content: {
            'text/event-stream': {
              schema: { type: 'string' },
              example: answer.example,
              'x-events': Object.fromEntries(
                Object.entries(answer.events).map(([name, event]) => [name, { description: event.description, data: documentSchema(event.data) }]),
              ),
            },
          },
        },
      };
    case 'text':
      return { '200': { description: answer.description, content: { [answer.contentType]: { schema: { type: 'string' } } } } };
  }
}

function parameters(route: Route): Json[] {
  const required = new Set(route.query.required ?? []);
  const query = Object.entries(route.query.properties).map(([name, property]) => {
    const { description, ...schema } = documentSchema(property as TSchema) as Json & { description?: string };
    // A named schema with its own description keeps it on the parameter, not beside the $ref.
    return { name, in: 'query', required: required.has(name), ...(description === undefined ? {} : { description }), schema };
  });
  const headers = (route.headers ?? []).map((header) => ({ name: header.name, in: 'header', required: false, description: header.description, schema: { type: 'string' } }));
  return [...query, ...headers];
}

/** The document's operation of one route (also merged into the hand-written document the server still serves). */
export function operation(route: Route): Json {
  const description = [route.description, rateLimitSentence(route.rateLimit)].filter((part) => part !== undefined).join(' ');
  const params = parameters(route);
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(description === '' ? {} : { description }),
    security: SECURITY[route.access],
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(route.body
      ? { requestBody: { required: true, description: route.body.description, content: Object.fromEntries(route.body.contentTypes.map((type) => [type, { schema: { type: 'string' } }])) } }
      : {}),
    responses: { ...answerResponses(route), ...errorResponses(route.errors) },
    ...(route.rateLimit ? { 'x-rate-limit': route.rateLimit } : {}),
  };
}

/** The OpenAPI 3.1 document served at `GET /api/openapi.json`. */
export function openApiDocument(serverVersion: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of Object.values(ROUTES) as Route[]) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'capflow HTTP API', version: serverVersion, description: INFO_DESCRIPTION },
    servers: [{ url: '/' }],
    tags: TAGS,
    security: SECURITY.signed,
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: Object.fromEntries(NAMED_SCHEMAS.map((schema) => [schema.$id as string, documentSchema(schema, true)])),
    },
  };
}
