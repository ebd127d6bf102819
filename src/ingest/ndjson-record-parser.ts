import { parseJsonObjectLine } from './json-line.js';
import { MAX_RECORD_CHARS, type SourceItem, type TradeField } from './raw-record.js';

const BOM = 0xfeff;

/** Whether a line is blank (not a record): nothing but whitespace as String.prototype.trim sees it. */
export function blankNdjsonLine(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * The one reading of an NDJSON line, for the general reader and the byte-level one alike: `raw`
 * is the line without its LF (a trailing CR is dropped). Undefined for a blank line (see
 * blankNdjsonLine: U+00A0 or U+3000 are whitespace too), which is not a record; else the record or
 * the reason it is malformed. `fieldOfKey` names the field of each key (default: the canonical keys).
 */
export function ndjsonLineItem(raw: string, line: number, fieldOfKey?: (key: string) => TradeField | undefined): SourceItem | undefined {
  const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
  if (blankNdjsonLine(text)) return undefined;
  const result = parseJsonObjectLine(text, fieldOfKey);
  return result.ok ? { line, fields: result.fields } : { line, error: result.reason };
}

/**
 * Incremental NDJSON reader: push decoded text chunks, get one item per non-blank line
 * (LF or CRLF ends). A malformed or overlong line becomes an item with an error and the
 * input goes on; blank lines are skipped and are not records.
 */
export class NdjsonRecordParser {
  private pending = '';
  /** The current line is over the limit: its text is being discarded up to its end. */
  private overlong = false;
  private line = 0;
  private started = false;
  private items: SourceItem[] = [];

  /** `fieldOfKey` names the field of each key (a vendor's feed read through a column map); default: the canonical keys. */
  constructor(private readonly fieldOfKey?: (key: string) => TradeField | undefined) {}

  push(chunk: string): SourceItem[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      const piece = text.slice(start, end);
      const whole = this.pending.length > 0 ? this.pending + piece : piece;
      this.pending = '';
      // However the text was chunked: a line over the limit is rejected, not read.
      if (whole.length > MAX_RECORD_CHARS) this.overlong = true;
      this.takeLine(whole);
      start = end + 1;
    }
    if (start < text.length) {
      if (this.overlong) return this.drain();
      this.pending += text.slice(start);
      if (this.pending.length > MAX_RECORD_CHARS) {
        this.pending = '';
        this.overlong = true;
      }
    }
    return this.drain();
  }

  end(): SourceItem[] {
    if (this.pending.length > 0 || this.overlong) {
      const whole = this.pending;
      this.pending = '';
      this.takeLine(whole);
    }
    return this.drain();
  }

  private takeLine(raw: string): void {
    this.line++;
    if (this.overlong) {
      this.overlong = false;
      this.items.push({ line: this.line, error: `line longer than ${MAX_RECORD_CHARS} characters` });
      return;
    }
    const item = ndjsonLineItem(raw, this.line, this.fieldOfKey);
    if (item !== undefined) this.items.push(item);
  }

  private drain(): SourceItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
