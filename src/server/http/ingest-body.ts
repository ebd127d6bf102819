import { l2TradeSource, mappedFileSource, parseColumnMap, parseSideMap, validateMapping, type ColumnMapping } from '../../ingest/adapters/index.js';
import { ingestAdapterSource } from '../../ingest/adapters/adapter-source.js';
import type { IngestOptions, IngestSummary } from '../../ingest/batch-ingester.js';
import { ingestRecords } from '../../ingest/ingest-records.js';
import { invalidRequest } from '../../model/errors.js';
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
 * Ingests a request body as chosen by its parameters; resolves once every accepted trade is
 * durably committed. With `sourceId` (an idempotency key) a retried body resumes from its
 * committed position.
 */
export async function ingestBody(
  store: FlowStore,
  body: Uint8Array,
  choice: IngestBodyChoice,
  options: { readonly sourceId?: string } = {},
): Promise<IngestSummary> {
  const ingestOptions: IngestOptions = choice.classification === undefined ? {} : { classification: choice.classification };
  if (choice.kind === 'canonical') {
    return ingestRecords(store, body, { ...ingestOptions, format: choice.format, ...options });
  }
  const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(body);
  const source =
    choice.kind === 'l2'
      ? l2TradeSource({ file: 'body', body: text, ...options, ...(choice.date === undefined ? {} : { date: choice.date }) })
      : mappedFileSource({ file: 'body', body: text, format: choice.format, mapping: choice.mapping, ...options });
  return ingestAdapterSource(store, source, ingestOptions);
}
