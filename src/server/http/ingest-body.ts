import { createHash } from 'node:crypto';
import { l2TradeSource, mappedFileSource, parseColumnMap, parseSideMap, validateMapping, type ColumnMapping } from '../../ingest/adapters/index.js';
import { ingestAdapterSource } from '../../ingest/adapters/adapter-source.js';
import type { IngestOptions, IngestSummary } from '../../ingest/batch-ingester.js';
import { ingestRecords } from '../../ingest/ingest-records.js';
import { conflict, invalidRequest } from '../../model/errors.js';
import { isClassificationMethod, type ClassificationMethod } from '../../model/trade.js';
import type { FlowStore } from '../../store/flow-store.js';

/** Methods a body may choose for trades without a side (`classify=`). */
const CHOOSABLE: readonly ClassificationMethod[] = ['lee-ready', 'emo', 'clnv', 'tick'];
const MAPPING_PARAMETERS = ['map', 'symbol', 'time-zone', 'sides'] as const;

/** How `POST /v1/ingest` reads its body, from the query string (which the request signature covers). */
export type IngestBodyChoice =
  | { readonly kind: 'canonical'; readonly format: 'csv' | 'ndjson'; readonly classification?: ClassificationMethod }
  | { readonly kind: 'l2'; readonly date?: string; readonly classification?: ClassificationMethod }
  | { readonly kind: 'mapped'; readonly format: 'csv' | 'ndjson'; readonly mapping: ColumnMapping; readonly classification?: ClassificationMethod };

/**
 * Reads the ingest endpoint's parameters: `format=ndjson` (default) | `csv` | `l2` (SSE/SZSE
 * Level-2 trade-by-trade CSV, with `date` for time-only columns); for csv/ndjson a column mapping
 * with `map=FIELD=COLUMN,…`, `symbol`, `time-zone` (`date` with it), `sides=CODE=up|down,…`;
 * `classify=lee-ready|emo|clnv|tick` for trades without a side. LOBSTER is a file pair and is read
 * by `capflow ingest` only. Every problem is a 400 CapflowError naming the parameter.
 */
export function ingestBodyChoice(params: URLSearchParams): IngestBodyChoice {
  const get = (name: string): string | undefined => params.get(name) ?? undefined;
  let classification: ClassificationMethod | undefined;
  const classify = get('classify');
  if (classify !== undefined) {
    if (!isClassificationMethod(classify) || !CHOOSABLE.includes(classify)) {
      throw invalidRequest(`classify must be one of ${CHOOSABLE.join(', ')}, got ${JSON.stringify(classify)}`);
    }
    classification = classify;
  }
  const withClassification = classification === undefined ? {} : { classification };
  const format = get('format') ?? 'ndjson';
  const mapped = MAPPING_PARAMETERS.some((name) => params.has(name)) || (params.has('date') && format !== 'l2');
  switch (format) {
    case 'ndjson':
    case 'csv': {
      if (!mapped) return { kind: 'canonical', format, ...withClassification };
      const mapping: ColumnMapping = {
        columns: parseColumnMap(get('map') ?? ''),
        ...optional('symbol', get('symbol')),
        ...optional('timeZone', get('time-zone')),
        ...optional('date', get('date')),
        ...(params.has('sides') ? { sides: parseSideMap(get('sides') ?? '') } : {}),
      };
      validateMapping(mapping);
      return { kind: 'mapped', format, mapping, ...withClassification };
    }
    case 'l2': {
      const stray = MAPPING_PARAMETERS.find((name) => params.has(name));
      if (stray !== undefined) throw invalidRequest(`${stray} does not apply to format=l2`);
      return { kind: 'l2', ...optional('date', get('date')), ...withClassification };
    }
    case 'lobster':
      throw invalidRequest('format=lobster is a message + orderbook file pair: ingest it with `capflow ingest FILE --format lobster --orderbook FILE`');
    default:
      throw invalidRequest(`format must be ndjson, csv or l2, got ${JSON.stringify(format)}`);
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/**
 * Trades per transaction of a body: small enough that one commit (a synchronous SQLite write,
 * then applying the trades to the loaded days) holds the event loop for a few tens of ms.
 */
export const BODY_BATCH_SIZE = 10_000;
/** Longest the ingest of a body holds the event loop before letting other clients' work run (ms). */
export const BODY_SLICE_MS = 10;
/** Bytes hashed or decoded between two chances to yield (a few ms of work each). */
const BODY_CHUNK_BYTES = 1 << 20;

/**
 * Ingests a request body as chosen by its parameters, all or nothing: the whole body is read and
 * validated before anything is stored, so a body-level error (an unterminated quote, a missing
 * column) stores nothing; then its trades are committed in transactions of BODY_BATCH_SIZE, and
 * the answer comes once all are durable. Should the store fail part-way, the error says exactly
 * which records were stored. The work runs in slices of BODY_SLICE_MS, so other clients keep
 * being served during a large body.
 *
 * With `sourceId` (an idempotency key) a retried body resumes from its committed position, and
 * the key is bound to the hash of the body and its format: the key reused for a different body
 * is refused with 409 before anything is read.
 */
export async function ingestBody(
  store: FlowStore,
  body: Uint8Array,
  choice: IngestBodyChoice,
  options: { readonly sourceId?: string; readonly idempotencyKey?: string } = {},
): Promise<IngestSummary> {
  const sourceId = options.sourceId;
  let fingerprint: string | undefined;
  if (sourceId !== undefined) {
    fingerprint = await bodyFingerprint(choice, body);
    const state = await store.sourceState(sourceId);
    if (state.fingerprint !== undefined && state.fingerprint !== fingerprint) {
      const key = options.idempotencyKey === undefined ? 'this Idempotency-Key' : `Idempotency-Key ${JSON.stringify(options.idempotencyKey)}`;
      throw conflict(`${key} was used before for a different body or format; nothing was stored (use a new key for new content)`);
    }
  }
  const ingestOptions: IngestOptions = {
    stage: true,
    sliceMs: BODY_SLICE_MS,
    batchSize: BODY_BATCH_SIZE,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(choice.classification === undefined ? {} : { classification: choice.classification }),
  };
  const withSource = sourceId === undefined ? {} : { sourceId };
  if (choice.kind === 'canonical') {
    return ingestRecords(store, body, { ...ingestOptions, format: choice.format, ...withSource });
  }
  const text = await decodeBody(body);
  const source =
    choice.kind === 'l2'
      ? l2TradeSource({ file: 'body', body: text, ...withSource, ...(choice.date === undefined ? {} : { date: choice.date }) })
      : mappedFileSource({ file: 'body', body: text, format: choice.format, mapping: choice.mapping, ...withSource });
  return ingestAdapterSource(store, source, ingestOptions);
}

/** `sha256:<hex>` of the body's format choice and bytes: what an idempotency key is bound to. */
export async function bodyFingerprint(choice: IngestBodyChoice, body: Uint8Array): Promise<string> {
  const hash = createHash('sha256').update(`${JSON.stringify(choice)}\n`);
  for (let at = 0; at < body.length; at += BODY_CHUNK_BYTES) {
    hash.update(body.subarray(at, at + BODY_CHUNK_BYTES));
    await nextTurn();
  }
  return `sha256:${hash.digest('hex')}`;
}

/** UTF-8 text of a body (a BOM dropped), decoded a chunk per event-loop turn. */
async function decodeBody(body: Uint8Array): Promise<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let text = '';
  for (let at = 0; at < body.length; at += BODY_CHUNK_BYTES) {
    text += decoder.decode(body.subarray(at, at + BODY_CHUNK_BYTES), { stream: true });
    await nextTurn();
  }
  return text + decoder.decode();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
