import { invalidRequest } from '../model/errors.js';
import { MAX_RECORD_CHARS } from './raw-record.js';

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;
const BOM = 0xfeff;

/** Index of the next comma or line break at or after `from` (or the text length). */
function scanUnquoted(text: string, from: number): number {
  let j = from;
  const length = text.length;
  while (j < length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CR || d === LF) break;
    j++;
  }
  return j;
}

const enum State {
  /** At the start of a field (nothing of it read yet). */
  FieldStart,
  /** Inside an unquoted field that continues from the previous chunk. */
  Unquoted,
  Quoted,
  /** Just read a quote inside a quoted field: a doubled quote or the closing one. */
  QuoteInQuoted,
  /** A field has been taken; the current char is the comma or line break after it. */
  Delimiter,
  /** After a closing quote came something other than a delimiter: the record is malformed. */
  Garbage,
}

/** One CSV record: the line it starts on (1-based, as an editor numbers lines) and its fields, unquoted. */
export interface CsvRow {
  readonly line: number;
  readonly values: string[];
  /** Set when the record is malformed (text after a closing quote, an unterminated quote). */
  readonly error?: string;
}

/**
 * Incremental RFC 4180 reader, the one text CSV scanner of every path (the general trade path
 * through CsvRecordParser, the format adapters, the byte-level readers' fallback): push decoded
 * text chunks of any size, get complete records with any columns and no header semantics.
 * Quoted fields (with doubled quotes and line breaks inside), LF, CRLF or lone CR line ends and an
 * optional BOM. A line holding nothing (not even "") is blank: skipped, not a record.
 *
 * A record longer than MAX_RECORD_CHARS (which usually means an unterminated quote) throws a
 * CapflowError; a malformed single record comes out with an error and the input goes on.
 */
export class CsvRows {
  private fields: string[] = [];
  /** Text of the current field read from earlier chunks (or earlier quoted segments). */
  private carry = '';
  private recordChars = 0;
  private state = State.FieldStart;
  private line = 1;
  private recordLine = 1;
  /** The last char consumed was a CR (so a following LF belongs to it). */
  private previousWasCR = false;
  private recordError: string | undefined;
  private started = false;
  private rows: CsvRow[] = [];

  constructor(private readonly sourceName = 'input') {}

  /**
   * A reader for the rest of an input whose first lines another reader took: the next record
   * starts on `line`, so every line number it gives (of records and thrown errors) is the
   * input's own. The input has started, so a leading U+FEFF is data, not a BOM.
   */
  static continuing(sourceName: string, line: number): CsvRows {
    const rows = new CsvRows(sourceName);
    rows.started = true;
    rows.line = line;
    rows.recordLine = line;
    return rows;
  }

  /** Reads a chunk; returns the records it completed. */
  push(chunk: string): CsvRow[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    this.scan(text);
    return this.take();
  }

  /** Ends the input; returns the last record if the text did not end with a line break. */
  end(): CsvRow[] {
    switch (this.state) {
      case State.FieldStart:
        if (this.fields.length > 0) {
          this.endField('');
          this.endRecord();
        }
        break;
      case State.Quoted:
        this.recordError ??= `unterminated quoted field (field ${this.fields.length + 1})`;
        this.endField(this.takeCarry());
        this.endRecord();
        break;
      default:
        this.endField(this.takeCarry());
        this.endRecord();
    }
    return this.take();
  }

  private take(): CsvRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  private scan(text: string): void {
    const length = text.length;
    let i = 0;
    while (i < length) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.FieldStart:
          if (c === QUOTE) {
            this.previousWasCR = false;
            this.state = State.Quoted;
            i++;
          } else if (c === COMMA) {
            this.previousWasCR = false;
            this.endField('');
            i++;
          } else if (c === CR || c === LF) {
            if (c === LF && this.previousWasCR && this.fields.length === 0) {
              this.previousWasCR = false; // second half of a CRLF that already ended the record
            } else {
              this.endField('');
              this.lineBreak(c);
            }
            i++;
          } else {
            this.previousWasCR = false;
            const j = scanUnquoted(text, i + 1);
            if (j === length) {
              this.appendCarry(text.slice(i, j));
              this.state = State.Unquoted;
              return;
            }
            this.endField(text.slice(i, j));
            this.state = State.Delimiter;
            i = j;
          }
          break;
        case State.Unquoted: {
          const j = scanUnquoted(text, i);
          this.appendCarry(text.slice(i, j));
          if (j === length) return;
          this.endField(this.takeCarry());
          this.state = State.Delimiter;
          i = j;
          break;
        }
        case State.Quoted: {
          let j = i;
          while (j < length) {
            const d = text.charCodeAt(j);
            if (d === QUOTE) break;
            if (d === CR) {
              this.line++;
              this.previousWasCR = true;
            } else {
              if (d === LF && !this.previousWasCR) this.line++;
              this.previousWasCR = false;
            }
            j++;
          }
          this.appendCarry(text.slice(i, j));
          if (j === length) return;
          this.previousWasCR = false;
          this.state = State.QuoteInQuoted;
          i = j + 1;
          break;
        }
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.appendCarry('"');
            this.state = State.Quoted;
            i++;
          } else if (c === COMMA || c === CR || c === LF) {
            this.endField(this.takeCarry());
            this.state = State.Delimiter;
          } else {
            this.recordError ??= `unexpected character after a closing quote (field ${this.fields.length + 1})`;
            this.state = State.Garbage;
          }
          break;
        case State.Garbage: {
          const j = scanUnquoted(text, i);
          if (j === length) return;
          this.carry = '';
          this.endField('');
          this.state = State.Delimiter;
          i = j;
          break;
        }
        case State.Delimiter:
          if (c === COMMA) {
            this.previousWasCR = false;
            this.state = State.FieldStart;
          } else {
            this.lineBreak(c);
          }
          i++;
          break;
      }
    }
  }

  /** A line break outside quotes: ends the record (the current field is already taken). */
  private lineBreak(c: number): void {
    if (c === CR || !this.previousWasCR) this.line++;
    this.previousWasCR = c === CR;
    this.endRecord();
    this.recordLine = this.line;
  }

  private appendCarry(text: string): void {
    if (text.length === 0) return;
    this.carry += text;
    if (this.recordChars + this.carry.length > MAX_RECORD_CHARS) {
      throw invalidRequest(
        `${this.sourceName}: line ${this.recordLine}: record longer than ${MAX_RECORD_CHARS} characters (unterminated quote?)`,
      );
    }
  }

  private takeCarry(): string {
    const value = this.carry;
    this.carry = '';
    return value;
  }

  private endField(tail: string): void {
    const value = this.carry.length > 0 ? this.carry + tail : tail;
    this.carry = '';
    this.recordChars += value.length + 1;
    if (this.recordChars > MAX_RECORD_CHARS) {
      throw invalidRequest(
        `${this.sourceName}: line ${this.recordLine}: record longer than ${MAX_RECORD_CHARS} characters (unterminated quote?)`,
      );
    }
    this.fields.push(value);
  }

  private endRecord(): void {
    const values = this.fields;
    const error = this.recordError;
    this.fields = [];
    this.recordChars = 0;
    this.recordError = undefined;
    this.state = State.FieldStart;
    if (values.length === 1 && values[0] === '' && error === undefined) return; // blank line
    this.rows.push(error === undefined ? { line: this.recordLine, values } : { line: this.recordLine, values, error });
  }
}
