export * from './raw-record.js';
export { CsvRecordParser } from './csv-record-parser.js';
export { CsvRows, type CsvRow } from './csv-rows.js';
export { NdjsonRecordParser } from './ndjson-record-parser.js';
export { parseJsonObjectLine, type JsonLineResult } from './json-line.js';
export { parseTimestamp, type TimestampResult } from './timestamp.js';
export { parseTradeRecord, formatRejection, type Rejection, type TradeParseResult } from './trade-parser.js';
export { fileKindOf, type FileKind, type RecordFormat } from './file-source.js';
export {
  BatchIngester,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_REJECTIONS,
  type IngestCommit,
  type IngestOptions,
  type IngestSummary,
} from './batch-ingester.js';
export { ingestFile, type IngestFileOptions, type IngestProgress } from './ingest-file.js';
export { ingestRecords, ingestNdjsonBody, type IngestRecordsOptions } from './ingest-records.js';
