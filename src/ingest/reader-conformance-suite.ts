/**
 * What every trade reader must do with the same input, whatever path it takes (one thread or two,
 * into memory or into a store, plain or gzipped): the same counts, the same rejected lines, the
 * same lines. Each case's expected figures are worked out by hand from capital-flow rules (the
 * comments say how), not taken from any reader. `describeReaderConformance` runs every case
 * through one reader, as `describeFlowStoreSuite` runs the store contract on each store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

/** What a reader made of one input: its counts, the lines and field names of its rejections, the day's lines. */
export interface ReaderOutcome {
  readonly accepted: number;
  readonly outsideSessions: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** `line` or `line:field` of each rejection, in input order. */
  readonly rejections: readonly string[];
  /** 700.HK's lines on 2024-06-14 (`timestamp inflow`), empty when the reader made no such day. */
  readonly lines: readonly string[];
}

/** One input: canonical CSV text, and the same trades as NDJSON when the case has an NDJSON form. */
export interface ReaderCase {
  readonly name: string;
  readonly csv: string;
  readonly ndjson?: string;
  readonly expected: Omit<ReaderOutcome, 'lines'> & {
    /** Lines expected at some minutes (local HH:MM → inflow); every other line carries the value before it. */
    readonly at: Readonly<Record<string, string>>;
  };
}

/** 2024-06-14 (a Friday) at HH:MM:SS Hong Kong time, in epoch ms. */
function hk(time: string, date = '2024-06-14'): number {
  return Date.parse(`${date}T${time}+08:00`);
}

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';

export const READER_CASES: readonly ReaderCase[] = [
  {
    name: 'sessions: pre-open, lunch, closing auction, a closed day',
    // 09:20 pre-open (outside); 09:30 up 10 × 100 = +1,000; 12:30 lunch (outside); 13:00 down
    // 10.5 × 200 = −2,100 → −1,100; 16:05 without a side in the grace window: neutral, counted at
    // 16:00; Saturday 10:00: the market is closed (outside).
    csv:
      `${HEADER}\n` +
      `700.HK,${hk('09:20:00')},10,100,up,T1,,,\n` +
      `700.HK,${hk('09:30:00')},10,100,up,T2,,,\n` +
      `700.HK,${hk('12:30:00')},10,100,down,T3,,,\n` +
      `700.HK,${hk('13:00:00')},10.5,200,down,T4,,,\n` +
      `700.HK,${hk('16:05:00')},11,300,,T5,,,\n` +
      `700.HK,${hk('10:00:00', '2024-06-15')},10,100,up,T6,,,\n`,
    ndjson:
      `{"symbol":"700.HK","timestamp":${hk('09:20:00')},"price":"10","volume":100,"direction":"up","trade_id":"T1"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('09:30:00')},"price":10,"volume":"100","direction":"up","trade_id":"T2"}\n` +
      `{"symbol":"700.HK","timestamp":"2024-06-14T12:30:00+08:00","price":"10","volume":100,"direction":"down","trade_id":"T3"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('13:00:00')},"price":10.5,"volume":200,"direction":"down","trade_id":"T4"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('16:05:00')},"price":"11","volume":300,"trade_id":"T5"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('10:00:00', '2024-06-15')},"price":"10","volume":100,"direction":"up","trade_id":"T6"}\n`,
    expected: { accepted: 3, outsideSessions: 3, duplicates: 0, rejected: 0, rejections: [], at: { '09:29': '', '09:30': '1000.000', '11:59': '1000.000', '13:00': '-1100.000', '16:00': '-1100.000' } },
  },
  {
    name: 'RFC 4180: a BOM, CRLF line ends, quoted fields (a comma and a doubled quote inside)',
    // Quoting changes nothing: 09:31 up 20.05 × 1,000 = +20,050; 09:32 down 20 × 500 = −10,000.
    csv:
      `\ufeff${HEADER}\r\n` +
      `"700.HK",${hk('09:31:00')},"20.05",1000,"up","T,1",,,\r\n` +
      `700.HK,${hk('09:32:00')},20,500,down,"T""2",,,\r\n`,
    expected: { accepted: 2, outsideSessions: 0, duplicates: 0, rejected: 0, rejections: [], at: { '09:30': '0.000', '09:31': '20050.000', '09:32': '10050.000', '16:00': '10050.000' } },
  },
  {
    name: 'redeliveries: a trade id seen before that day changes nothing, not even the tick rule',
    // 09:31 up 10 × 100 = +1,000; T1 again at 11.00 (ignored); 09:33 no side at 10.5: up-tick from
    // 10 (the redelivery did not move the previous price) → +10.5 × 100 = +1,050 → 2,050.
    csv:
      `${HEADER}\n` +
      `700.HK,${hk('09:31:00')},10,100,up,T1,,,\n` +
      `700.HK,${hk('09:32:00')},11,100,,T1,,,\n` +
      `700.HK,${hk('09:33:00')},10.5,100,,T3,,,\n`,
    ndjson:
      `{"symbol":"700.HK","timestamp":${hk('09:31:00')},"price":"10","volume":100,"direction":"up","trade_id":"T1"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('09:32:00')},"price":"11","volume":100,"trade_id":"T1"}\n` +
      `{"symbol":"700.HK","timestamp":${hk('09:33:00')},"price":"10.5","volume":100,"trade_id":"T3"}\n`,
    expected: { accepted: 2, outsideSessions: 0, duplicates: 1, rejected: 0, rejections: [], at: { '09:31': '1000.000', '09:32': '1000.000', '09:33': '2050.000' } },
  },
  {
    name: 'rejections name their line and field; the rest of the file is read',
    // Line 3: price 0; line 4: no volume; line 5: an unknown direction word; line 6: a bad
    // symbol; line 7: too many fields. Line 2: 09:31 down 3.5 × 2,000 = −7,000.
    csv:
      `${HEADER}\n` +
      `700.HK,${hk('09:31:00')},3.5,2000,down,,,,\n` +
      `700.HK,${hk('09:32:00')},0,100,up,,,,\n` +
      `700.HK,${hk('09:33:00')},3.5,,up,,,,\n` +
      `700.HK,${hk('09:34:00')},3.5,100,sideways,,,,\n` +
      `HK700,${hk('09:35:00')},3.5,100,up,,,,\n` +
      `700.HK,${hk('09:36:00')},3.5,100,up,,,,,extra\n`,
    expected: { accepted: 1, outsideSessions: 0, duplicates: 0, rejected: 5, rejections: ['3:price', '4:volume', '5:direction', '6:symbol', '7'], at: { '09:31': '-7000.000', '16:00': '-7000.000' } },
  },
  {
    name: 'columns by name: another order, an extra column, a missing optional one; symbols normalised',
    // 00700.hk is 700.HK. 09:31 up 4 × 250 = +1,000; 09:45 no side, quotes 3.9/4.1, price 3.95:
    // below the midpoint → down 3.95 × 100 = −395 → 605.
    csv:
      'price,volume,symbol,note,timestamp,direction,bid,ask\n' +
      `4,250,00700.hk,first,${hk('09:31:00')},up,,\n` +
      `3.95,100,700.HK,second,${hk('09:45:00')},,3.9,4.1\n`,
    expected: { accepted: 2, outsideSessions: 0, duplicates: 0, rejected: 0, rejections: [], at: { '09:31': '1000.000', '09:44': '1000.000', '09:45': '605.000' } },
  },
  {
    name: 'trade types: an HK auction print without a side is neutral; an off-exchange report counts nowhere',
    // 09:31 up 10 × 100 = +1,000; 09:32 type U, no side: neutral; 09:33 type M (off-exchange,
    // left out, and it does not feed the tick rule); 09:34 no side at 10.2: up-tick from 10.1 (U
    // fed the tick rule, M did not) → +10.2 × 100 = +1,020 → 2,020.
    csv:
      `${HEADER}\n` +
      `700.HK,${hk('09:31:00')},10,100,up,,,,\n` +
      `700.HK,${hk('09:32:00')},10.1,100,,,,,U\n` +
      `700.HK,${hk('09:33:00')},10.5,100,,,,,M\n` +
      `700.HK,${hk('09:34:00')},10.2,100,,,,,\n`,
    expected: { accepted: 4, outsideSessions: 0, duplicates: 0, rejected: 0, rejections: [], at: { '09:31': '1000.000', '09:33': '1000.000', '09:34': '2020.000' } },
  },
];

/** The line stamped at HH:MM Hong Kong on 2024-06-14, as `timestamp inflow`, or undefined before the first. */
function lineAt(lines: readonly string[], time: string): string | undefined {
  const seconds = hk(`${time}:00`) / 1000;
  return lines.find((line) => line.startsWith(`${seconds} `));
}

/** Runs every case through one reader: `read` gets the case's input text (CSV, or NDJSON when `format` is ndjson). */
export function describeReaderConformance(
  name: string,
  format: 'csv' | 'ndjson',
  read: (text: string) => Promise<ReaderOutcome>,
): void {
  describe(`trade reader conformance: ${name}`, () => {
    for (const readerCase of READER_CASES) {
      const text = format === 'csv' ? readerCase.csv : readerCase.ndjson;
      if (text === undefined) continue;
      it(readerCase.name, async () => {
        const outcome = await read(text);
        const { at, ...counts } = readerCase.expected;
        assert.deepEqual(
          { accepted: outcome.accepted, outsideSessions: outcome.outsideSessions, duplicates: outcome.duplicates, rejected: outcome.rejected, rejections: outcome.rejections },
          counts,
        );
        assert.equal(outcome.lines.length, 331, 'a full HK day has 331 lines');
        for (const [time, inflow] of Object.entries(at)) {
          const line = lineAt(outcome.lines, time);
          if (inflow === '') assert.equal(line, undefined, `no line at ${time}`);
          else assert.equal(line?.split(' ')[1], inflow, `the line at ${time}`);
        }
      });
    }
  });
}
