import { invalidRequest } from '../model/errors.js';
import { CsvRows, type CsvRow } from './csv-rows.js';
import {
  REQUIRED_TRADE_FIELDS,
  TRADE_FIELDS,
  isTradeField,
  type RawFields,
  type SourceItem,
  type TradeField,
} from './raw-record.js';

/**
 * The general CSV trade reader: CsvRows's records read by a header row naming the columns (the
 * header is line 1 unless blank lines precede it; names are matched trimmed, case-insensitively;
 * extra columns are ignored).
 *
 * Structural problems of the whole file (no required column, a column named twice, a record
 * longer than MAX_RECORD_CHARS, which usually means an unterminated quote) throw a CapflowError;
 * a malformed single record becomes an item with an error and the file goes on.
 */
export class CsvRecordParser {
  private columns: Array<TradeField | undefined> | undefined;
  private rows: CsvRows;

  constructor(private readonly sourceName = 'input') {
    this.rows = new CsvRows(sourceName);
  }

  /**
   * A parser for the rest of an input whose first lines another reader took: `header` is the
   * input's header and the next record starts on `line`, so every line number it gives — of
   * records, rejections and thrown errors — is the input's own.
   */
  static continuing(sourceName: string, header: string, line: number): CsvRecordParser {
    const parser = new CsvRecordParser(sourceName);
    parser.push(`${header}\n`);
    parser.rows = CsvRows.continuing(sourceName, line);
    return parser;
  }

  /** Reads a chunk; returns the records it completed. */
  push(chunk: string): SourceItem[] {
    return this.records(this.rows.push(chunk));
  }

  /** Ends the input; returns the last record if the text did not end with a line break. */
  end(): SourceItem[] {
    return this.records(this.rows.end());
  }

  private records(rows: CsvRow[]): SourceItem[] {
    const items: SourceItem[] = [];
    for (const { line, values, error } of rows) {
      if (this.columns === undefined) {
        this.readHeader(values);
        continue;
      }
      if (error !== undefined) {
        items.push({ line, error });
        continue;
      }
      if (values.length > this.columns.length) {
        items.push({ line, error: `has ${values.length} fields but the header has ${this.columns.length}` });
        continue;
      }
      const record: RawFields = {};
      for (let k = 0; k < values.length; k++) {
        const name = this.columns[k];
        if (name !== undefined) record[name] = values[k] as string;
      }
      items.push({ line, fields: record });
    }
    return items;
  }
  private readHeader(names: string[]): void {
    const columns: Array<TradeField | undefined> = [];
    const seen = new Set<string>();
    for (const raw of names) {
      const name = raw.trim().toLowerCase();
      if (isTradeField(name)) {
        if (seen.has(name)) throw invalidRequest(`${this.sourceName}: header: column '${name}' appears twice`);
        seen.add(name);
        columns.push(name);
      } else {
        columns.push(undefined); // extra columns are ignored
      }
    }
    const missing = REQUIRED_TRADE_FIELDS.filter((name) => !seen.has(name));
    if (missing.length > 0) {
      throw invalidRequest(
        `${this.sourceName}: header: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
          `(expected ${TRADE_FIELDS.join(',')}; found ${names.join(',')})`,
      );
    }
    this.columns = columns;
  }
}
