import type { FlowStore } from '../store/flow-store.js';
import { BatchIngester, DEFAULT_BATCH_SIZE, type IngestOptions, type IngestSummary } from './batch-ingester.js';
import { CsvColumnsReader } from './csv-columns-reader.js';
import { CsvRecordParser } from './csv-record-parser.js';
import { NdjsonColumnsReader } from './ndjson-columns-reader.js';
import { NdjsonRecordParser } from './ndjson-record-parser.js';

export interface IngestRecordsOptions extends IngestOptions {
  /** Record format of the body (default `ndjson`). */
  readonly format?: 'csv' | 'ndjson';
  /**
   * Identity of the body for exactly-once retries (e.g. an idempotency key): a body sent again
   * with the same id resumes from its committed position instead of storing its trades twice.
   * Without it every call appends (trades with ids are still deduplicated).
   */
  readonly sourceId?: string;
}

/** Characters handed to the parser at a time (between two checks whether to yield). */
const SLICE_CHARS = 1 << 14;

/**
 * Ingests records held in memory (an HTTP request body): NDJSON by default, or CSV with a header.
 * Resolves with the summary once every accepted trade is durably committed. Bad records are
 * counted and reported, never thrown; only a CSV body without the required columns rejects
 * (with a CapflowError, status 400).
 */
export async function ingestRecords(
  store: FlowStore,
  body: string | Uint8Array,
  options: IngestRecordsOptions = {},
): Promise<IngestSummary> {
  const format = options.format ?? 'ndjson';
  const start = options.sourceId === undefined ? 0 : await store.sourcePosition(options.sourceId);
  if (format === 'ndjson' && typeof body !== 'string' && NdjsonColumnsReader.accepts(body)) {
    // Bytes of plain NDJSON lines straight into column batches (appendColumns).
    const ingester = new BatchIngester(store, options.sourceId, start, { ...options, columnar: true, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE });
    await new NdjsonColumnsReader(ingester).read(body);
    return ingester.finish('body', format);
  }
  if (format === 'csv' && typeof body !== 'string') {
    // CSV bytes through the same byte-level reader as CSV files (rows it is unsure of: parseTradeRecord).
    const ingester = new BatchIngester(store, options.sourceId, start, { ...options, columnar: true, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE });
    await new CsvColumnsReader(ingester, 'body').readBytes(body);
    return ingester.finish('body', format);
  }
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  const ingester = new BatchIngester(store, options.sourceId, start, options);
  const parser = format === 'csv' ? new CsvRecordParser('body') : new NdjsonRecordParser();
  for (let offset = 0; offset < text.length; offset += SLICE_CHARS) {
    await ingester.yieldIfDue();
    await ingester.take(parser.push(text.slice(offset, offset + SLICE_CHARS)));
  }
  await ingester.take(parser.end());
  return ingester.finish('body', format);
}

/** An NDJSON body (the HTTP ingest endpoint); see ingestRecords. */
export function ingestNdjsonBody(
  store: FlowStore,
  body: string | Uint8Array,
  options: Omit<IngestRecordsOptions, 'format'> = {},
): Promise<IngestSummary> {
  return ingestRecords(store, body, { ...options, format: 'ndjson' });
}
