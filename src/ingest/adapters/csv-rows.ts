import { invalidRequest } from '../../model/errors.js';
import { MAX_RECORD_CHARS } from '../raw-record.js';

/** One CSV record: the line it starts on (1-based) and its fields, unquoted. */
export interface CsvRow {
  readonly line: number;
  readonly values: string[];
  /** Set when the record is malformed (text after a closing quote, an unterminated quote). */
  readonly error?: string;
}

/**
 * Incremental RFC 4180 reader for the format adapters: any columns, no header semantics (the
 * adapter reads the header row itself). Quoted fields may hold commas, doubled quotes and line
 * breaks; LF, CRLF or lone CR end records; a leading BOM is dropped; blank lines are skipped.
 */
export class CsvRows {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  private afterQuote = false;
  private inField = false;
  private error: string | undefined;
  private line = 1;
  private recordLine = 1;
  private previousWasCR = false;
  private started = false;
  private recordChars = 0;

  constructor(private readonly sourceName = 'input') {}

  push(chunk: string): CsvRow[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const rows: CsvRow[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      this.recordChars++;
      if (this.recordChars > MAX_RECORD_CHARS) {
        throw invalidRequest(`${this.sourceName}: line ${this.recordLine}: record longer than ${MAX_RECORD_CHARS} characters (unterminated quote?)`);
      }
      if (this.quoted) {
        if (c === '"') {
          this.quoted = false;
          this.afterQuote = true;
        } else {
          if (c === '\n' && !this.previousWasCR) this.line++;
          if (c === '\r') this.line++;
          this.previousWasCR = c === '\r';
          this.field += c;
        }
        continue;
      }
      if (c === '"') {
        if (this.afterQuote) {
          this.field += '"'; // a doubled quote inside a quoted field
          this.quoted = true;
          this.afterQuote = false;
        } else if (!this.inField) {
          this.quoted = true;
          this.inField = true;
        } else {
          this.field += c;
        }
        this.previousWasCR = false;
        continue;
      }
      if (c === ',') {
        this.endField();
        this.previousWasCR = false;
        continue;
      }
      if (c === '\n' || c === '\r') {
        const secondHalfOfCrlf = c === '\n' && this.previousWasCR;
        this.previousWasCR = c === '\r';
        if (secondHalfOfCrlf) continue;
        this.endRecord(rows);
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      this.previousWasCR = false;
      if (this.afterQuote) this.error ??= `text after a closing quote (field ${this.fields.length + 1})`;
      this.inField = true;
      this.field += c;
    }
    return rows;
  }

  end(): CsvRow[] {
    const rows: CsvRow[] = [];
    if (this.quoted) this.error ??= `unterminated quoted field (field ${this.fields.length + 1})`;
    this.quoted = false;
    this.endRecord(rows);
    return rows;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.inField = false;
    this.afterQuote = false;
  }

  private endRecord(rows: CsvRow[]): void {
    if (this.fields.length === 0 && !this.inField && !this.afterQuote && this.field === '') {
      this.recordChars = 0;
      return; // blank line
    }
    this.endField();
    const values = this.fields;
    this.fields = [];
    rows.push(this.error === undefined ? { line: this.recordLine, values } : { line: this.recordLine, values, error: this.error });
    this.error = undefined;
    this.recordChars = 0;
  }
}
