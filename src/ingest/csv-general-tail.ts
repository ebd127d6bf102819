import { CsvRecordParser } from './csv-record-parser.js';
import type { SourceItem } from './raw-record.js';

/**
 * The rest of a CSV input that a byte-level reader hands over at the first line it cannot read
 * itself (a quote, a CR, more columns than it keeps): the bytes are decoded here and read by the
 * general reader, so records, rejections and line numbers are exactly the general path's.
 */
export class CsvGeneralTail {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly parser: CsvRecordParser;

  /** From the input's start (`header` empty), or from line `line` after the input's `header`. */
  constructor(sourceName: string, header: string, line: number) {
    this.parser = header === '' ? new CsvRecordParser(sourceName) : CsvRecordParser.continuing(sourceName, header, line);
  }

  /** Reads more of the input's bytes (a UTF-8 sequence may be split across calls); returns the records completed. */
  push(bytes: Uint8Array): SourceItem[] {
    return this.parser.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** Ends the input; returns the records left. */
  end(): SourceItem[] {
    const rest = this.parser.push(this.decoder.decode());
    rest.push(...this.parser.end());
    return rest;
  }
}
