import { parseJsonObjectLine } from './json-line.js';
import { MAX_RECORD_CHARS, type SourceItem } from './raw-record.js';

const BOM = 0xfeff;

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
    const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (text.trim().length === 0) return;
    const result = parseJsonObjectLine(text);
    this.items.push(result.ok ? { line: this.line, fields: result.fields } : { line: this.line, error: result.reason });
  }

  private drain(): SourceItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
