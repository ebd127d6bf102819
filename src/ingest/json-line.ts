import { JsonNumberText, JsonOtherValue, isTradeField, type RawFields, type RawValue, type TradeField } from './raw-record.js';

/**
 * A small JSON reader for one NDJSON line. Unlike JSON.parse it keeps number tokens as their
 * exact text (a price like 1234567890.123456789 must not pass through a binary float), and it
 * keeps only the top-level trade keys; nested values are checked for syntax and skipped.
 */
export type JsonLineResult = { readonly ok: true; readonly fields: RawFields } | { readonly ok: false; readonly reason: string };

/**
 * Thrown inside the reader and caught by parseJsonObjectLine. Not an Error: a stack trace per
 * malformed line would cost more than reading it (a body of a million bad lines).
 */
class JsonSyntaxError {
  constructor(readonly message: string) {}
}

/** Deepest nesting accepted inside a skipped value (guards the recursion). */
const MAX_DEPTH = 64;

export function parseJsonObjectLine(line: string, fieldOfKey?: (key: string) => TradeField | undefined): JsonLineResult {
  try {
    return { ok: true, fields: new LineReader(line, fieldOfKey).readTopObject() };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

class LineReader {
  private i = 0;
  constructor(
    private readonly text: string,
    /** Maps a key to the trade field it holds (a column mapping); default: the canonical keys. */
    private readonly fieldOfKey?: (key: string) => TradeField | undefined,
  ) {}

  readTopObject(): RawFields {
    this.skipSpace();
    if (this.peek() !== 0x7b /* { */) this.fail('not a JSON object');
    this.i++;
    const fields: RawFields = {};
    const seen = new Set<string>();
    this.skipSpace();
    if (this.peek() === 0x7d /* } */) {
      this.i++;
    } else {
      for (;;) {
        this.skipSpace();
        if (this.peek() !== 0x22) this.fail('expected a string key');
        const key = this.readString();
        this.skipSpace();
        if (this.peek() !== 0x3a /* : */) this.fail("expected ':'");
        this.i++;
        this.skipSpace();
        const field = this.fieldOfKey ? this.fieldOfKey(key) : isTradeField(key) ? key : undefined;
        if (field !== undefined) {
          if (seen.has(field)) this.fail(`key '${key}' appears twice`);
          seen.add(field);
          fields[field] = this.readValue();
        } else {
          this.skipValue(0);
        }
        this.skipSpace();
        const c = this.peek();
        this.i++;
        if (c === 0x2c /* , */) continue;
        if (c === 0x7d /* } */) break;
        this.i--;
        this.fail("expected ',' or '}'");
      }
    }
    this.skipSpace();
    if (this.i < this.text.length) this.fail('unexpected text after the object');
    return fields;
  }

  private readValue(): RawValue {
    const c = this.peek();
    if (c === 0x22) return this.readString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return new JsonNumberText(this.readNumber());
    if (this.text.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    if (c === 0x74 || c === 0x66) {
      this.skipValue(0);
      return new JsonOtherValue('boolean');
    }
    if (c === 0x7b) {
      this.skipValue(0);
      return new JsonOtherValue('object');
    }
    if (c === 0x5b) {
      this.skipValue(0);
      return new JsonOtherValue('array');
    }
    return this.fail('expected a value');
  }

  private skipValue(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.peek();
    if (c === 0x22) {
      this.readString();
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.readNumber();
    } else if (this.text.startsWith('true', this.i)) {
      this.i += 4;
    } else if (this.text.startsWith('false', this.i)) {
      this.i += 5;
    } else if (this.text.startsWith('null', this.i)) {
      this.i += 4;
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.i++;
      this.skipSpace();
      if (this.peek() === close) {
        this.i++;
        return;
      }
      for (;;) {
        this.skipSpace();
        if (c === 0x7b) {
          if (this.peek() !== 0x22) this.fail('expected a string key');
          this.readString();
          this.skipSpace();
          if (this.peek() !== 0x3a) this.fail("expected ':'");
          this.i++;
          this.skipSpace();
        }
        this.skipValue(depth + 1);
        this.skipSpace();
        const d = this.peek();
        this.i++;
        if (d === 0x2c) continue;
        if (d === close) return;
        this.i--;
        this.fail(`expected ',' or '${String.fromCharCode(close)}'`);
      }
    } else {
      this.fail('expected a value');
    }
  }

  /** A JSON number token (RFC 8259 grammar), returned as its exact text. */
  private readNumber(): string {
    const text = this.text;
    const start = this.i;
    let i = start;
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) {
      i++;
    } else if (isDigit(text.charCodeAt(i))) {
      while (isDigit(text.charCodeAt(i))) i++;
    } else {
      this.i = i;
      this.fail('malformed number');
    }
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) {
        this.i = i;
        this.fail('malformed number');
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) {
        this.i = i;
        this.fail('malformed number');
      }
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.i = i;
    return text.slice(start, i);
  }

  private readString(): string {
    const text = this.text;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= text.length) this.fail('unterminated string');
      const c = text.charCodeAt(this.i);
      if (c === 0x22) {
        out += text.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += text.slice(start, this.i);
      const e = text.charCodeAt(this.i + 1);
      this.i += 2;
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          const hex = text.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('malformed \\u escape');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.i -= 2;
          this.fail('malformed escape');
      }
      start = this.i;
    }
  }

  private skipSpace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else return;
    }
  }

  private peek(): number {
    return this.text.charCodeAt(this.i);
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`malformed JSON at column ${this.i + 1}: ${message}`);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
