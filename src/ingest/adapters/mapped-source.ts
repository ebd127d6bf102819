import { basename } from 'node:path';
import { dateToDayNumber } from '../../calendar/time-zone.js';
import { invalidRequest } from '../../model/errors.js';
import { fileKindOf } from '../file-source.js';
import { NdjsonRecordParser } from '../ndjson-record-parser.js';
import { JsonNumberText, TRADE_FIELDS, isTradeField, type RawFields, type RawValue, type SourceItem, type TradeField } from '../raw-record.js';
import { tradeTimeProblem } from '../../model/trade-time.js';
import { parseTimestamp } from '../timestamp.js';
import { inputText, type AdapterSource } from './adapter-source.js';
import { CsvRows } from '../csv-rows.js';
import { isKnownTimeZone, parseLocalDateTime, parseTimeOfDay, wallToEpochMs } from './local-time.js';

/**
 * Any CSV (with a header) or NDJSON feed, through a column mapping: `price=TradePrice,volume=Qty`
 * names the source column (or key) of each canonical field; unmapped fields keep their canonical
 * column names. Times may be local: with `timeZone`, a date-time without offset is read in that
 * zone; with `date` too, the time column holds only a time of day on that date.
 */
export interface ColumnMapping {
  /** Canonical field → source column (or NDJSON key). */
  readonly columns: Partial<Record<TradeField, string>>;
  /** A symbol for every record (when the feed has no symbol column). */
  readonly symbol?: string;
  /** IANA zone of local-time columns (e.g. `Asia/Shanghai`). */
  readonly timeZone?: string;
  /** `YYYY-MM-DD` of time-of-day columns (needs `timeZone`). */
  readonly date?: string;
  /** Feed side codes → canonical directions, e.g. `{ B: 'up', S: 'down', N: 'neutral' }`. */
  readonly sides?: Readonly<Record<string, string>>;
}

/** Reads `price=TradePrice,volume=TradeQty` into a column map; throws a CapflowError naming a bad entry. */
export function parseColumnMap(text: string): Partial<Record<TradeField, string>> {
  const columns: Partial<Record<TradeField, string>> = {};
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    const field = entry.slice(0, equals).trim();
    const column = entry.slice(equals + 1).trim();
    if (equals <= 0 || column === '') throw invalidRequest(`--map: ${JSON.stringify(entry)} is not FIELD=COLUMN`);
    if (!isTradeField(field)) throw invalidRequest(`--map: unknown field ${JSON.stringify(field)} (fields: ${TRADE_FIELDS.join(', ')})`);
    columns[field] = column;
  }
  return columns;
}

/** Reads `B=up,S=down` into a side-code map; throws a CapflowError naming a bad entry. */
export function parseSideMap(text: string): Record<string, string> {
  const sides: Record<string, string> = {};
  for (const entry of text.split(',')) {
    const [code = '', direction = ''] = entry.split('=').map((part) => part.trim());
    if (code === '' || !/^(up|buy|2|down|sell|1|neutral|0)$/i.test(direction)) {
      throw invalidRequest(`--sides: ${JSON.stringify(entry)} is not CODE=up|down|neutral`);
    }
    sides[code] = direction;
  }
  return sides;
}

/** Checks a mapping's options (zone, date) once, before any record is read. */
export function validateMapping(mapping: ColumnMapping): void {
  if (mapping.timeZone !== undefined && !isKnownTimeZone(mapping.timeZone)) {
    throw invalidRequest(`--time-zone: unknown time zone ${JSON.stringify(mapping.timeZone)} (use an IANA name such as Asia/Shanghai)`);
  }
  if (mapping.date !== undefined) {
    if (mapping.timeZone === undefined) throw invalidRequest('--date needs --time-zone (the zone of the time-of-day column)');
    try {
      dateToDayNumber(mapping.date);
    } catch {
      throw invalidRequest(`--date ${JSON.stringify(mapping.date)} is not a date (YYYY-MM-DD)`);
    }
  }
}

/** Turns one record of source columns into canonical fields (time made absolute), or a rejection reason. */
export function mapRecord(mapping: ColumnMapping, valueOf: (field: TradeField) => RawValue | undefined): RawFields | string {
  const fields: RawFields = {};
  for (const field of TRADE_FIELDS) {
    const value = valueOf(field);
    if (value !== undefined) fields[field] = value;
  }
  if (mapping.symbol !== undefined) fields.symbol = mapping.symbol;
  const time = fields.timestamp;
  const timeText = typeof time === 'string' ? time.trim() : time instanceof JsonNumberText ? time.text : undefined;
  if (timeText !== undefined && timeText !== '') {
    const absolute = absoluteTime(mapping, timeText);
    if (typeof absolute === 'string' && absolute.startsWith('!')) return `timestamp: ${absolute.slice(1)}, got ${JSON.stringify(timeText)}`;
    fields.timestamp = absolute;
  }
  const side = fields.direction;
  if (mapping.sides && typeof side === 'string') {
    const mapped = mapping.sides[side.trim()];
    if (mapped !== undefined) fields.direction = mapped;
  }
  return fields;
}

/** Epoch-ms text of a time value, or `!reason`. Canonical timestamps pass through unchanged. */
function absoluteTime(mapping: ColumnMapping, text: string): string {
  const { timeZone, date } = mapping;
  if (date !== undefined && timeZone !== undefined) {
    const time = parseTimeOfDay(text);
    if (time.ok) return epochText(wallToEpochMs(timeZone, dateToDayNumber(date) * 86_400_000 + time.ms));
    // Digits that are not a time of day must not pass as epoch milliseconds here.
    if (/^[0-9]+$/.test(text)) return `!${time.reason}`;
  }
  const canonical = parseTimestamp(text);
  if (canonical.ok) return text;
  if (!canonical.ok && canonical.outOfRange === true) return `!${canonical.reason}`;
  if (timeZone !== undefined) {
    const wall = parseLocalDateTime(text);
    if (wall.ok) return epochText(wallToEpochMs(timeZone, wall.ms));
    return `!${wall.reason}`;
  }
  return `!${canonical.reason}${/no UTC offset/.test(canonical.reason) ? ' (or give --time-zone)' : ''}`;
}

/** Epoch-ms text of a local time made absolute, or `!reason` when it is no trade time. */
function epochText(epochMs: number): string {
  const problem = tradeTimeProblem(epochMs);
  return problem === undefined ? String(epochMs) : `!${problem}`;
}

export interface MappedFileOptions {
  readonly file: string;
  readonly mapping: ColumnMapping;
  readonly sourceId?: string;
  /** The content, held in memory (an HTTP ingest body); `file` is then only its name. */
  readonly body?: string;
  /** Record format of a body (default: from the file name's extension). */
  readonly format?: 'csv' | 'ndjson';
}

const BATCH = 2000;

/** A CSV or NDJSON file (by extension, optionally .gz) read through a column mapping. */
export function mappedFileSource(options: MappedFileOptions): AdapterSource {
  const { file, mapping } = options;
  validateMapping(mapping);
  const kind = options.format === undefined ? fileKindOf(file) : { format: options.format };
  const name = basename(file);
  const sourceColumn = (field: TradeField): string => mapping.columns[field] ?? field;
  return {
    name: file,
    format: kind.format === 'csv' ? 'mapped-csv' : 'mapped-ndjson',
    sourceId: options.sourceId,
    async *items(): AsyncGenerator<SourceItem[]> {
      let batch: SourceItem[] = [];
      const push = (line: number, fields: RawFields | string): void => {
        batch.push(typeof fields === 'string' ? { line, error: fields } : { line, fields });
      };
      if (kind.format === 'ndjson') {
        const fieldOfKey = new Map<string, TradeField>();
        for (const field of TRADE_FIELDS) fieldOfKey.set(sourceColumn(field), field);
        // The general NDJSON reader, only with the vendor's keys: lines, blank lines, BOM and limits as for canonical NDJSON.
        const parser = new NdjsonRecordParser((key) => fieldOfKey.get(key));
        const take = (items: SourceItem[]): void => {
          for (const item of items) {
            if ('error' in item) push(item.line, item.error);
            else push(item.line, mapRecord(mapping, (field) => item.fields[field]));
          }
        };
        for await (const text of inputText(file, options.body)) {
          take(parser.push(text));
          if (batch.length >= BATCH) {
            yield batch;
            batch = [];
          }
        }
        take(parser.end());
      } else {
        const reader = new CsvRows(name);
        let indexOf: Map<TradeField, number> | undefined;
        const take = (rows: ReturnType<CsvRows['push']>): void => {
          for (const row of rows) {
            if (indexOf === undefined) {
              const header = new Map(row.values.map((value, index) => [value.trim(), index]));
              indexOf = new Map();
              for (const field of TRADE_FIELDS) {
                const index = header.get(sourceColumn(field));
                if (index !== undefined) indexOf.set(field, index);
              }
              const missing = (['symbol', 'timestamp', 'price', 'volume'] as const).filter(
                (field) => !indexOf?.has(field) && !(field === 'symbol' && mapping.symbol !== undefined),
              );
              if (missing.length > 0) {
                throw invalidRequest(
                  `${name}: no column for ${missing.map((field) => `${field} (looked for ${JSON.stringify(sourceColumn(field))})`).join(', ')}; map it with --map ${missing[0]}=COLUMN`,
                );
              }
              continue;
            }
            if (row.error !== undefined) {
              push(row.line, row.error);
              continue;
            }
            const columns = indexOf;
            push(
              row.line,
              mapRecord(mapping, (field) => {
                const index = columns.get(field);
                return index === undefined ? undefined : row.values[index];
              }),
            );
          }
        };
        for await (const text of inputText(file, options.body)) {
          take(reader.push(text));
          if (batch.length >= BATCH) {
            yield batch;
            batch = [];
          }
        }
        take(reader.end());
      }
      if (batch.length > 0) yield batch;
    },
  };
}
