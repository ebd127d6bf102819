import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { ingestAdapterSource } from './adapters/adapter-source.js';
import { mappedFileSource } from './adapters/mapped-source.js';
import type { IngestSummary } from './batch-ingester.js';
import { csvFileToLines } from './fast-csv-lines.js';
import { ingestFile } from './ingest-file.js';
import { ingestRecords } from './ingest-records.js';

/**
 * Every rejection names the 1-based line of the input on which its record starts, as a text
 * editor numbers lines: the header is line 1, blank lines count, a quoted field spanning lines
 * moves the next record down, and LF, CRLF and a lone CR each end one line. The reference is the
 * generator itself: it knows where it put each bad record. Every reader is checked against it —
 * files plain and gzipped, bodies, the byte-level readers and the general ones they fall back to.
 */
const work = mkdtempSync(join(tmpdir(), 'capflow-lines-'));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';
type Kind = 'good' | 'goodQuoted' | 'badVolume' | 'badQuotedMultiLine' | 'badTime' | 'tooManyFields' | 'blank' | 'badSymbol';
const KINDS: readonly Kind[] = ['good', 'goodQuoted', 'badVolume', 'badQuotedMultiLine', 'badTime', 'tooManyFields', 'blank', 'badSymbol'];

/** A record's text (may hold line breaks inside quotes), and whether it is rejected. */
function csvRecord(kind: Kind, index: number, inner: string): { text: string; rejected: boolean } {
  const time = `2024-06-14T09:${String(30 + (index % 29)).padStart(2, '0')}:00+08:00`;
  switch (kind) {
    case 'good':
      return { text: `700.HK,${time},320.2,100,up,,,,`, rejected: false };
    case 'goodQuoted':
      return { text: `700.HK,"${time}",320.2,100,up,,,,`, rejected: false };
    case 'badVolume':
      return { text: `700.HK,${time},320.2,x,up,,,,`, rejected: true };
    case 'badQuotedMultiLine':
      return { text: `700.HK,${time},320.2,-1,up,"a${inner}b",,,`, rejected: true };
    case 'badTime':
      return { text: `700.HK,9999-12-31T23:59:59.999Z,320.2,100,up,,,,`, rejected: true };
    case 'tooManyFields':
      return { text: `700.HK,${time},320.2,100,up,,,,,extra`, rejected: true };
    case 'badSymbol':
      return { text: `700.XX,${time},320.2,100,up,,,,`, rejected: true };
    case 'blank':
      return { text: '', rejected: false };
  }
}

/** Line breaks in `text` as an editor counts them (CRLF once, lone CR and LF each once). */
function breaksIn(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

interface Input {
  readonly text: string;
  /** Lines of the rejected records, in order. */
  readonly expected: number[];
}

const inputArbitrary = (breaks: readonly string[]): fc.Arbitrary<Input> =>
  fc
    .record({
      bom: fc.boolean(),
      rows: fc.array(fc.record({ kind: fc.constantFrom(...KINDS), end: fc.constantFrom(...breaks), inner: fc.constantFrom(...breaks) }), {
        minLength: 1,
        maxLength: 40,
      }),
      finalBreak: fc.boolean(),
    })
    .map(({ bom, rows, finalBreak }) => {
      let text = `${bom ? '\uFEFF' : ''}${HEADER}\n`;
      const expected: number[] = [];
      rows.forEach(({ kind, end, inner }, index) => {
        const record = csvRecord(kind, index, inner);
        // The line a record starts on: the line breaks before it, plus one.
        if (record.rejected) expected.push(breaksIn(text) + 1);
        const last = index === rows.length - 1;
        text += record.text + (last && !finalBreak && kind !== 'blank' ? '' : end);
      });
      return { text, expected };
    });

function linesOf(summary: IngestSummary | { rejections: readonly { line: number }[] }): number[] {
  return summary.rejections.map((rejection) => rejection.line);
}

async function withStore<T>(run: (store: SqliteFlowStore) => Promise<T>): Promise<T> {
  const store = await SqliteFlowStore.open(join(work, `store-${++counter}`));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function file(name: string, content: string | Buffer): string {
  const path = join(work, `${++counter}-${name}`);
  writeFileSync(path, content);
  return path;
}

const RUNS = 60;
const LINE_BREAKS = ['\n', '\r\n'];
/** Lone CRs too: the byte-level readers hand those to the RFC 4180 reader. */
const ANY_BREAKS = ['\n', '\r\n', '\r'];

describe('rejection line numbers are the lines of the input', () => {
  for (const [name, breaks] of [
    ['LF/CRLF', LINE_BREAKS],
    ['LF/CRLF/CR', ANY_BREAKS],
  ] as const) {
    it(`CSV files, plain and gzipped (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(breaks), fc.integer({ min: 1, max: 7 }), async ({ text, expected }, batchSize) => {
          for (const content of [text, gzipSync(text)]) {
            const path = file(typeof content === 'string' ? 'in.csv' : 'in.csv.gz', content);
            const summary = await withStore((store) => ingestFile(store, path, { batchSize, maxRejections: 1000 }));
            assert.deepEqual(linesOf(summary), expected);
          }
        }),
        { numRuns: RUNS, seed: 20240614 },
      );
    });

    it(`CSV bodies (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(breaks), fc.integer({ min: 1, max: 7 }), async ({ text, expected }, batchSize) => {
          const summary = await withStore((store) =>
            ingestRecords(store, new TextEncoder().encode(text), { format: 'csv', batchSize, maxRejections: 1000 }),
          );
          assert.deepEqual(linesOf(summary), expected);
        }),
        { numRuns: RUNS, seed: 20240615 },
      );
    });

    it(`mapped CSV bodies (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(breaks), async ({ text, expected }) => {
          // The mapped reader knows nothing of extra fields: its rejections are the others.
          const source = mappedFileSource({ file: 'body', body: text, format: 'csv', mapping: { columns: {} } });
          const summary = await withStore((store) => ingestAdapterSource(store, source, { maxRejections: 1000 }));
          const mappedExpected = expected.filter((line) => !tooManyFieldsLines(text).includes(line));
          assert.deepEqual(linesOf(summary).filter((line) => !tooManyFieldsLines(text).includes(line)), mappedExpected);
        }),
        { numRuns: RUNS, seed: 20240616 },
      );
    });

    it(`the in-memory lines reader (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(breaks), async ({ text, expected }) => {
          const path = file('lines.csv', text);
          const { summary } = await csvFileToLines(path);
          assert.deepEqual(linesOf(summary), expected);
        }),
        { numRuns: RUNS, seed: 20240617 },
      );
    });
  }

  it('an unterminated quote is refused naming the line it opens on, by every CSV reader', async () => {
    await fc.assert(
      fc.asyncProperty(inputArbitrary(ANY_BREAKS), async ({ text }) => {
        const prefix = /[\r\n]$/.test(text) ? text : `${text}\n`;
        const line = breaksIn(prefix) + 1;
        const input = `${prefix}700.HK,2024-06-14T09:30:00+08:00,320.2,100,up,"never closed\n${'x,'.repeat(600_000)}\n`;
        const refused = new RegExp(`: line ${line}: record longer than`);
        const path = file('open-quote.csv', input);
        await assert.rejects(withStore((store) => ingestFile(store, path)), refused);
        const gzipped = file('open-quote.csv.gz', gzipSync(input));
        await assert.rejects(withStore((store) => ingestFile(store, gzipped)), refused);
        await assert.rejects(withStore((store) => ingestRecords(store, new TextEncoder().encode(input), { format: 'csv' })), refused);
        await assert.rejects(csvFileToLines(path), refused);
        const mapped = mappedFileSource({ file: 'body', body: input, format: 'csv', mapping: { columns: {} } });
        await assert.rejects(withStore((store) => ingestAdapterSource(store, mapped)), refused);
      }),
      { numRuns: 8, seed: 20240619 },
    );
  });

  it('NDJSON files and bodies, fast and general readers', async () => {
    const ndjsonArbitrary = fc
      .array(fc.record({ kind: fc.constantFrom('good', 'spaced', 'bad', 'broken', 'blank'), end: fc.constantFrom('\n', '\r\n') }), { minLength: 1, maxLength: 40 })
      .map((rows) => {
        let text = '';
        const expected: number[] = [];
        rows.forEach(({ kind, end }, index) => {
          const line = index + 1;
          const good = `{"symbol":"700.HK","timestamp":"2024-06-14T09:30:00+08:00","price":"320.2","volume":100}`;
          if (kind === 'good') text += good;
          else if (kind === 'spaced') text += good.replaceAll('":', '": ');
          else if (kind === 'bad') text += good.replace('100', '0');
          else if (kind === 'broken') text += '{"symbol":';
          if (kind === 'bad' || kind === 'broken') expected.push(line);
          text += end;
        });
        return { text, expected };
      });
    await fc.assert(
      fc.asyncProperty(ndjsonArbitrary, fc.integer({ min: 1, max: 7 }), async ({ text, expected }, batchSize) => {
        for (const content of [text, gzipSync(text)]) {
          const path = file(typeof content === 'string' ? 'in.ndjson' : 'in.ndjson.gz', content);
          assert.deepEqual(linesOf(await withStore((store) => ingestFile(store, path, { batchSize, maxRejections: 1000 }))), expected);
        }
        const bytes = new TextEncoder().encode(text);
        assert.deepEqual(linesOf(await withStore((store) => ingestRecords(store, bytes, { batchSize, maxRejections: 1000 }))), expected);
        assert.deepEqual(linesOf(await withStore((store) => ingestRecords(store, text, { batchSize, maxRejections: 1000 }))), expected);
      }),
      { numRuns: RUNS, seed: 20240618 },
    );
  });
});

/** Lines of the generated `tooManyFields` records (found by their marker). */
function tooManyFieldsLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const piece of text.split(/(\r\n|\r|\n)/)) {
    if (/^(\r\n|\r|\n)$/.test(piece)) line++;
    else if (piece.endsWith(',extra')) lines.push(line);
  }
  return lines;
}
