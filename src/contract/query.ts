/**
 * Reads a request's query text against a route's query schema: the values typed as the contract
 * says (`days=20` is the number 20), or a 400 / 301600 naming the parameter at fault. The server
 * checks every call with it, so what the OpenAPI document says a parameter accepts is what is
 * accepted.
 */
import { FormatRegistry, Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { invalidRequest } from '../model/errors.js';

/** `YYYY-MM-DD` naming a real calendar day. */
export function isDateText(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', isDateText);

const compiled = new WeakMap<TObject, TypeCheck<TObject>>();

function checkerOf<Q extends TObject>(schema: Q): TypeCheck<Q> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<Q>;
}

/** The query's parameters named by the schema, each its first value (as `URLSearchParams.get`). */
function namedValues(schema: TObject, params: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = params.get(name);
    if (value !== null) values[name] = value;
  }
  return values;
}

/** The parameters of `params` the schema names, typed; throws 400 / 301600 for the first one at fault. */
export function readQuery<Q extends TObject>(schema: Q, params: URLSearchParams): Static<Q> {
  const check = checkerOf(schema);
  const text = namedValues(schema, params);
  const values = Object.fromEntries(Object.entries(text).map(([name, value]) => [name, typed(schema.properties[name]!, value)]));
  if (check.Check(values)) return values as Static<Q>;
  for (const name of Object.keys(schema.properties)) {
    const property = schema.properties[name]!;
    if (!(name in text)) {
      if (schema.required?.includes(name)) throw invalidRequest(`the ${name} parameter is required${exampleOf(name, property)}`);
      continue;
    }
    if (!Value.Check(property, values[name])) throw invalidRequest(problem(name, property, text[name]!, values[name]));
  }
  throw invalidRequest(`bad query parameters: ${[...check.Errors(values)].map((error) => `${error.path} ${error.message}`).join('; ')}`);
}

/**
 * A parameter's text as the value its schema checks: decimal digits for an integer, a decimal for
 * a number; anything else stays text and fails the check (`1.5` is no integer, not 1).
 */
function typed(schema: TSchema, text: string): unknown {
  if (schema[Kind] === 'Integer') return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
  if (schema[Kind] === 'Number') return /^-?\d{1,15}(\.\d{1,15})?$/.test(text) ? Number(text) : text;
  if (schema[Kind] === 'Boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function exampleOf(name: string, schema: TSchema): string {
  const examples = (schema as { examples?: unknown[] }).examples;
  return examples?.length ? `, e.g. ${name}=${String(examples[0])}` : '';
}

/** The choices of a union of string literals, else undefined. */
function choicesOf(schema: TSchema): string[] | undefined {
  const members = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!members || !members.every((member) => member[Kind] === 'Literal')) return undefined;
  return members.map((member) => String((member as unknown as { const: unknown }).const));
}

function listed(choices: readonly string[]): string {
  return choices.length <= 1 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** What is wrong with one parameter, with what it should be (its description says why). */
function problem(name: string, schema: TSchema, text: string, value: unknown): string {
  const description = (schema as { description?: string }).description;
  const about = description ? ` (${name}: ${description})` : '';
  const choices = choicesOf(schema);
  if (choices) return `${name} must be ${listed(choices)}, got ${JSON.stringify(text)}${about}`;
  if ((schema as { format?: string }).format === 'date') return `not a date: ${JSON.stringify(text)} (expected YYYY-MM-DD) in ${name}`;
  if (schema[Kind] === 'Integer') {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    const range = minimum !== undefined && maximum !== undefined ? ` from ${minimum} to ${maximum}` : '';
    return `${name} must be a whole number${range}, got ${JSON.stringify(text)}${about}`;
  }
  const first = Value.Errors(schema, value).First();
  return `${name} ${JSON.stringify(text)}: ${first?.message ?? 'not accepted'}${about}`;
}
