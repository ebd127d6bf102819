/**
 * Checks real HTTP answers against the contract: the route's schema for a success (closed: a
 * field the contract does not name is a failure too), the error body and a documented
 * (status, code) pair for a failure, each event of a live stream against its schema.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { signedHeaders, type SigningCredential } from '../protocol/request-signing.js';
import type { Route } from './routes.js';
import { Envelope, ErrorBody } from './schemas.js';

FormatRegistry.Set('date', (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));

/**
 * The schema with `additionalProperties: false` on every object that does not say otherwise, so
 * an undocumented field fails the check (the document itself stays open to additions).
 */
export function closed<T extends TSchema>(schema: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string | symbol, unknown> = {};
    for (const key of Reflect.ownKeys(node)) copy[key] = visit((node as Record<string | symbol, unknown>)[key]);
    if (copy['type'] === 'object' && copy['properties'] !== undefined && copy['additionalProperties'] === undefined && copy['patternProperties'] === undefined) {
      copy['additionalProperties'] = false;
    }
    return copy;
  };
  return visit(schema) as T;
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** The problems of a value against a schema (closed), as `path: message` lines; empty when it fits. */
export function schemaProblems(schema: TSchema, value: unknown): string[] {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(closed(schema));
    compiled.set(schema, check);
  }
  if (check.Check(value)) return [];
  return [...check.Errors(value)].slice(0, 8).map((error) => `${error.path || '/'}: ${error.message} (got ${JSON.stringify(error.value)?.slice(0, 80)})`);
}

const envelopes = new WeakMap<TSchema, TSchema>();
function envelopeOf(data: TSchema): TSchema {
  let schema = envelopes.get(data);
  if (!schema) {
    schema = Envelope(data);
    envelopes.set(data, schema);
  }
  return schema;
}

/** One HTTP answer as received. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The problems of an answer of `route`; empty when it is what the contract promises. */
export function answerProblems(route: Route, answer: Answer): string[] {
  const where = `${route.method} ${route.path} → ${answer.status}`;
  const json = (): unknown => {
    try {
      return JSON.parse(answer.body);
    } catch {
      return Symbol('not JSON');
    }
  };
  const problems = (schema: TSchema, value: unknown): string[] =>
    typeof value === 'symbol' ? [`${where}: not JSON: ${answer.body.slice(0, 120)}`] : schemaProblems(schema, value).map((problem) => `${where}: ${problem}`);
  const spec = route.answer;
  if (answer.status >= 400 && !(spec.kind === 'json' && answer.status in spec.statuses)) {
    const body = json();
    const shape = problems(ErrorBody, body);
    if (shape.length > 0) return shape;
    const { code } = body as { code: number };
    const documented = route.errors.some((error) => error.status === answer.status && error.code === code);
    return documented ? [] : [`${where}: code ${code} is not among the route's documented errors for HTTP ${answer.status}`];
  }
  switch (spec.kind) {
    case 'envelope':
      if (answer.status !== 200) return [`${where}: expected 200`];
      return problems(envelopeOf(spec.data), json());
    case 'json':
      if (!(answer.status in spec.statuses)) return [`${where}: expected one of ${Object.keys(spec.statuses).join(', ')}`];
      return problems(spec.schema, json());
    case 'event-stream':
      return answer.status === 200 && answer.contentType.startsWith('text/event-stream') ? [] : [`${where}: expected 200 text/event-stream, got ${answer.contentType}`];
    case 'text':
      return answer.status === 200 && answer.contentType === spec.contentType ? [] : [`${where}: expected 200 ${spec.contentType}, got ${answer.contentType}`];
  }
}

/** The problems of one event of a live stream: a documented event name, data fitting its schema. */
export function eventProblems(route: Route, event: string, data: string): string[] {
  if (route.answer.kind !== 'event-stream') return [`${route.path} is not an event stream`];
  const spec = route.answer.events[event];
  if (!spec) return [`${route.path}: undocumented event ${event}`];
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return [`${route.path} ${event}: data is not JSON`];
  }
  return schemaProblems(spec.data, value).map((problem) => `${route.path} ${event}: ${problem}`);
}

export interface RouteCall {
  readonly query?: Record<string, string | undefined>;
  /** Signs as this credential; unsigned without. */
  readonly credential?: SigningCredential;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Overrides the signed headers (a stale timestamp, a bearer token…). */
  readonly signedHeaders?: (headers: Record<string, string>) => Record<string, string>;
}

/** Calls a route of a running server and returns its answer (the stream's status and headers only). */
export async function callRoute(baseUrl: string, route: Route, call: RouteCall = {}): Promise<Answer> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) search.set(name, value);
  const query = search.toString();
  const body = call.body === undefined ? undefined : new TextEncoder().encode(call.body);
  let headers: Record<string, string> = { ...call.headers };
  if (call.credential) {
    const signed = signedHeaders(call.credential, { method: route.method, path: route.path, query, body });
    headers = { ...headers, ...(call.signedHeaders ? call.signedHeaders(signed) : signed) };
  }
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${route.path}${query ? `?${query}` : ''}`, {
    method: route.method,
    headers,
    signal: controller.signal,
    ...(body ? { body } : {}),
  });
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.startsWith('text/event-stream')) {
    controller.abort();
    return { status: response.status, contentType, body: '' };
  }
  return { status: response.status, contentType, body: await response.text() };
}

