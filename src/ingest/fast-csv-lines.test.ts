import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SSE_SAMPLE_DAY } from '../real-data-test-kit.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { calendarFor } from '../calendar/trading-calendar.js';
import { DayFlow } from '../engine/index.js';
import { parseSymbol } from '../model/symbol.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { CsvRecordParser } from './csv-record-parser.js';
import { CsvLinesBuilder, csvFileToLines, symbolDayKey } from './fast-csv-lines.js';
import { ingestFile } from './ingest-file.js';
import { parseTradeRecord, type Rejection } from './trade-parser.js';
import { localDate } from '../calendar/time-zone.js';

/** The general path: RFC 4180 reader → trade parser → DayFlow.add per symbol-day (closed days skipped). */
function generalLines(text: string): { days: Map<string, DayFlow>; rejections: Rejection[]; accepted: number } {
  const parser = new CsvRecordParser('input');
  const items = [...parser.push(text), ...parser.end()];
  const days = new Map<string, DayFlow>();
  const rejections: Rejection[] = [];
  let accepted = 0;
  for (const item of items) {
    if ('error' in item) {
      rejections.push({ line: item.line, reason: item.error });
      continue;
    }
    const result = parseTradeRecord(item.line, item.fields);
    if (!result.ok) {
      rejections.push(result.field === undefined ? { line: result.line, reason: result.reason } : { line: result.line, field: result.field, reason: result.reason });
      continue;
    }
    accepted++;
    const key = symbolDayKey(result.trade.symbol, result.date);
    let day = days.get(key);
    if (!day) {
      const schedule = calendarFor(parseSymbol(result.trade.symbol)!.market).schedule(result.date);
      if (!schedule) continue;
      day = new DayFlow(schedule);
      days.set(key, day);
    }
    day.add(result.trade);
  }
  return { days, rejections, accepted };
}

function fastLines(bytes: Buffer, chunkSizes: readonly number[] = [bytes.length], options: { replayable?: boolean } = {}) {
  const builder = new CsvLinesBuilder({ maxRejections: 10_000, ...options });
  let offset = 0;
  let k = 0;
  while (offset < bytes.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length] ?? bytes.length);
    builder.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  const summary = builder.end();
  return { builder, summary };
}

/** Like csvFileToLines on a plain file: one buffer reused for every read, here overwritten with junk after each step. */
function fastLinesThroughReusedBuffer(bytes: Buffer, size: number) {
  const builder = new CsvLinesBuilder({ maxRejections: 10_000 });
  let buf = Buffer.alloc(size);
  let kept = 0;
  let offset = 0;
  while (offset < bytes.length) {
    if (kept === buf.length) {
      const grown = Buffer.alloc(buf.length * 2);
      buf.copy(grown, 0, 0, kept);
      buf = grown;
    }
    const read = Math.min(buf.length - kept, bytes.length - offset);
    bytes.copy(buf, kept, offset, offset + read);
    offset += read;
    const filled = kept + read;
    const consumed = builder.pushLines(buf, filled);
    kept = filled - consumed;
    if (kept > 0 && consumed > 0) buf.copy(buf, 0, consumed, filled);
    buf.fill(0x39, kept); // whatever still refers to the old bytes now sees nines
  }
  if (kept > 0) builder.push(Buffer.from(buf.subarray(0, kept)));
  return { builder, summary: builder.end() };
}

function assertSameLines(fast: Map<string, DayFlow>, general: Map<string, DayFlow>): void {
  assert.deepEqual([...fast.keys()].sort(), [...general.keys()].sort());
  for (const [key, day] of general) {
    assert.deepEqual(fast.get(key)!.lines(Number.MAX_SAFE_INTEGER), day.lines(Number.MAX_SAFE_INTEGER), key);
    assert.deepEqual(fast.get(key)!.distribution(Number.MAX_SAFE_INTEGER), day.distribution(Number.MAX_SAFE_INTEGER), key);
  }
}

const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type\n';
/** 2024-06-14 (Friday) 09:30:00 Hong Kong = 01:30:00Z. */
const HK_OPEN = Date.UTC(2024, 5, 14, 1, 30);

describe('CSV → lines fast path', () => {
  it('computes a hand-checked HK day: given sides, tick rule, quote rule and a redelivery', () => {
    const csv =
      HEADER +
      `700.HK,${HK_OPEN + 1000},320.20,1000,up,T1,,,\n` + // +320,200.00
      `700.HK,${HK_OPEN + 2000},320.00,500,,T2,,,\n` + // down tick: -160,000.00
      `700.HK,${HK_OPEN + 3000},320.00,100,,T3,,,\n` + // zero tick, last change down: -32,000.00
      `700.HK,${HK_OPEN + 61_000},320.10,100,,T4,320.00,320.10,\n` + // at the ask: up +32,010.00 (minute 2)
      `700.HK,${HK_OPEN + 62_000},320.10,100,,T4,,,\n`; // redelivery of T4: ignored
    const { builder, summary } = fastLines(Buffer.from(csv));
    assert.equal(summary.accepted, 4);
    assert.equal(summary.duplicates, 1);
    assert.equal(summary.generalRows, 0);
    const lines = builder.lines('700.HK', '2024-06-14')!;
    assert.equal(lines.length, 331);
    assert.deepEqual(lines[0], { timestamp: HK_OPEN / 1000, inflow: '128200.000' });
    assert.deepEqual(lines[1], { timestamp: HK_OPEN / 1000 + 60, inflow: '160210.000' });
    assert.equal(lines[330]!.inflow, '160210.000');
  });

  it('gives exactly the general path’s lines, counts and reasons for awkward input of every kind', () => {
    const rows = [
      '\ufeffsymbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type,extra',
      `00700.hk,${HK_OPEN + 5},320.2,100,UP,a1,,,U,x`, // spelling normalised, upper-case word
      `700.HK,2024-06-14T09:31:00.5+08:00,320.25,200,,a2,320.2,320.3,,`, // ISO, midpoint → tick rule
      `700.HK, ${HK_OPEN + 70_000},320.3,100,,a3,,,,`, // space before a value → general parser
      `700.HK,${HK_OPEN + 80_000},0,100,,a4,,,,`, // zero price rejected
      `700.HK,${HK_OPEN + 80_000},1e3,100,,a5,,,,`, // exponent rejected
      `700.HK,${HK_OPEN + 80_000},320.3,-5,,a6,,,,`, // negative volume rejected
      `700.HK,${HK_OPEN + 80_000},320.3,100,sideways,a7,,,,`, // unknown direction rejected
      `BAD,${HK_OPEN + 80_000},320.3,100,,a8,,,,`, // malformed symbol rejected
      `700.HK,2024-06-14T09:32:00,320.3,100,,a9,,,,`, // no offset rejected
      `700.HK,${HK_OPEN + 90_000},1234567890123456.5,1,down,a10,,,,`, // 17 digits: exact via BigInt
      `700.HK,${HK_OPEN + 95_000},320.3,100,sell,,,,,,,,`, // more fields than the header
      '',
      `700.HK,${HK_OPEN + 100_000},320.4,100,,a1,,,,`, // redelivery of a1
      `AAPL.US,${Date.UTC(2024, 5, 14, 13, 30, 1)},212.49,100,,u1,212.48,212.50,,`,
      `AAPL.US,${Date.UTC(2024, 5, 15, 14, 0)},212.49,100,buy,u2,,,,`, // Saturday: stored, in no line
      `AAPL.US,${Date.UTC(2024, 5, 15, 14, 0)},212.49,100,buy,u2,,,,`, // its redelivery
      `600000.SH,${Date.UTC(2024, 5, 14, 7, 0, 0, 800)},7.40,1000,,c1,,,,`, // closing auction: neutral
      `600000.sh,${Date.UTC(2024, 5, 14, 1, 30, 1)},7.41,1000,2,c2,,,,`,
      `D05.SG,${Date.UTC(2024, 5, 14, 1, 0, 1)},35.07,300,1,s1,,,,`,
      `D05.SG,${Date.UTC(2024, 5, 14, 1, 0, 2)},35.071,300,,s2,,,,`,
      `700.HK,${HK_OPEN + 120_000},"320.5",100,up,q1,,,,`, // a quote: the RFC 4180 reader takes over
      `700.HK,${HK_OPEN + 121_000},320.6,100,"dow`,
      `n",q2,,,,`, // a line break inside a quoted field
      `700.HK,${HK_OPEN + 122_000},320.7,100,,q3,,,,`,
    ];
    const text = rows.join('\r\n') + '\r\n';
    const general = generalLines(text);
    const bytes = Buffer.from(text);
    for (const chunks of [[bytes.length], [1], [7, 3, 50], [4096]]) {
      const { builder, summary } = fastLines(bytes, chunks);
      assertSameLines(builder.days, general.days);
      assert.deepEqual(summary.rejections, general.rejections);
      assert.equal(summary.rejected, general.rejections.length);
      assert.equal(summary.accepted + summary.duplicates, general.accepted);
    }
    assert.equal(general.rejections.length, 8);
    assert.ok(general.rejections.some((r) => r.line === 12 && /has 13 fields/.test(r.reason)));
  });

  it('splits chunks anywhere without changing a line (property)', () => {
    const body =
      HEADER +
      Array.from({ length: 200 }, (_, i) => {
        const ts = HK_OPEN + i * 7_919;
        const price = (32000 + ((i * 37) % 101) - 50) / 100;
        return `${i % 3 === 0 ? '700.HK' : '5.HK'},${ts},${price},${100 + i},${i % 5 === 0 ? 'up' : ''},T${i % 190},,,`;
      }).join('\n');
    const bytes = Buffer.from(body);
    const general = generalLines(body);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const { builder } = fastLines(bytes, sizes);
        assertSameLines(builder.days, general.days);
      }),
      { seed: 424242, numRuns: 60 },
    );
  });

  it('reads a real day to the published net inflow, identical to ingesting into the store', { timeout: 60_000 }, async () => {
    const path = SSE_SAMPLE_DAY;
    const { builder, summary } = await csvFileToLines(path);
    assert.equal(summary.accepted, 14_872);
    assert.equal(summary.generalRows, 0);
    const lines = builder.lines('600000.SH', '2023-02-01')!;
    assert.equal(lines.at(-1)!.inflow, '-24384680.860');

    const dir = mkdtempSync(join(tmpdir(), 'capflow-fast-'));
    try {
      const store = await SqliteFlowStore.open(dir);
      await ingestFile(store, path);
      const day = new DayFlow(calendarFor('CN').schedule('2023-02-01')!);
      for (const trade of await store.tradesOfDay('600000.SH', '2023-02-01')) day.add(trade);
      await store.close();
      assert.deepEqual(lines, day.lines(Number.MAX_SAFE_INTEGER));
      // Same file without the side: classification must agree too (the published tick-rule figure).
      const text = gunzipSync(readFileSync(path)).toString('utf8');
      const unsided = text.replace(/,(up|down|neutral),/g, ',,');
      const plain = join(dir, 'unsided.csv');
      writeFileSync(plain, unsided);
      const { builder: b2 } = await csvFileToLines(plain);
      const generalDay = generalLines(unsided).days.get(symbolDayKey('600000.SH', '2023-02-01'))!;
      const unsidedLines = b2.lines('600000.SH', '2023-02-01')!;
      assert.deepEqual(unsidedLines, generalDay.lines(Number.MAX_SAFE_INTEGER));
      assert.equal(unsidedLines.at(-1)!.inflow, '-13530695.060');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the general path’s lines, counts and rejections on random days of every kind of row (property)', () => {
    const at = (market: 'HK' | 'US' | 'CN' | 'SG', date: string) => calendarFor(market).schedule(date)!;
    const days = [at('HK', '2024-06-14'), at('US', '2024-06-14'), at('CN', '2024-06-14'), at('SG', '2024-06-14'), at('HK', '2024-12-24')];
    // Instants around every session edge of those days, lunch included, and on a closed Saturday.
    const edges = days.flatMap((d) => [d.dayStartMs, d.firstSessionStartMs, ...d.lineStartMs.filter((_, i) => i % 60 === 0), d.lastSessionEndMs, d.graceEndMs, d.dayEndMs - 1]);
    edges.push(Date.UTC(2024, 5, 15, 2, 0), Date.UTC(2024, 5, 13, 15, 59, 59, 999));
    const instant = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...edges).chain((edge) => fc.integer({ min: edge - 90_000, max: edge + 90_000 }).map(String)) },
      { weight: 1, arbitrary: fc.constantFrom('2024-06-14T09:31:00.5+08:00', '2024-06-14T09:32:00', ' 1718328660000', '1718328660000.0', '', '0') },
    );
    const decimal = (min: number, max: number) =>
      fc.tuple(fc.integer({ min, max }), fc.integer({ min: 0, max: 4 })).map(([n, scale]) => {
        const text = String(n).padStart(scale + 1, '0');
        return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
      });
    const price = fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('320.2', '320.20', '320.4', '320.000', '320', '320.35', '7.4', '212.49') },
      { weight: 3, arbitrary: decimal(1, 1_000_000) },
      { weight: 2, arbitrary: fc.constantFrom('999999999999999', '99999999999.9999', '1234567890123456.5', '9007199254740993') }, // sums and products beyond 2^53
      { weight: 1, arbitrary: fc.constantFrom('0', '1e3', '-1', '.5', '5.', '', ' 320.2', '3,2') },
    );
    const volume = fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 1, max: 50_000 }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('999999999999999', '9007199254740993', '0', '-5', '1.5', '', '007') },
    );
    const direction = fc.constantFrom('', '', '', '', 'up', 'down', 'neutral', 'buy', 'SELL', '0', '1', '2', 'sideways', ' up');
    const tradeId = fc.oneof(
      { weight: 10, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => `T-${n}`) },
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.constantFrom('T-007', 'abc', 'U-3', '42', 'T-', 'x y', ' T-1', 'a"b', 'T\r1', 'x'.repeat(130), 'T-99999999999999999') },
    );
    const quote = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.constantFrom('320.1', '320.2', '320.30', '320.25', '7.39', '212.5') }, { weight: 1, arbitrary: fc.constantFrom('0', 'x') });
    const symbol = fc.constantFrom('700.HK', '700.HK', '00700.hk', '5.HK', 'AAPL.US', '600000.SH', 'D05.SG', 'BAD', 'X Y.HK', '');
    const tradeType = fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('U', 'P', 'O', 'W', 'zz') });
    const row = fc.oneof(
      { weight: 40, arbitrary: fc.tuple(symbol, instant, price, volume, direction, tradeId, quote, quote, tradeType).map((fields) => fields.join(',')) },
      { weight: 1, arbitrary: fc.constantFrom('', '700.HK,1718328660000,320.2', '700.HK,1718328660000,320.2,100,up,T-1,,,,extra', '"700.HK",1718328660000,320.2,100,,Q-1,,,') },
    );
    // Tidy days (the usual rows only) stay on the Numbers path across buffer refills; the others mix in everything.
    const tidyRow = fc
      .tuple(
        fc.constantFrom('700.HK', '5.HK', 'AAPL.US', '600000.SH', 'D05.SG'),
        fc.constantFrom(...edges).chain((edge) => fc.integer({ min: edge - 90_000, max: edge + 90_000 }).map(String)),
        fc.constantFrom('320.2', '320.20', '320.4', '320.35', '320', '7.4'),
        fc.integer({ min: 1, max: 50_000 }).map(String),
        fc.constantFrom('', '', '', 'up', 'down', 'neutral'),
        fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => `T-${n}`) }, { weight: 1, arbitrary: fc.constant('') }),
        fc.constantFrom('', '320.1', '320.3'),
        fc.constantFrom('', '320.3', '320.35'),
      )
      .map((fields) => `${fields.join(',')},`);
    const rowsOfDay = fc.oneof(fc.array(row, { minLength: 1, maxLength: 150 }), fc.array(tidyRow, { minLength: 1, maxLength: 300 }));
    fc.assert(
      fc.property(rowsOfDay, fc.boolean(), fc.integer({ min: 8, max: 200 }), (rows, crlf, bufferSize) => {
        const text = HEADER + rows.join(crlf ? '\r\n' : '\n') + '\n';
        const general = generalLines(text);
        const bytes = Buffer.from(text);
        const replayable = fastLines(bytes, [bufferSize], { replayable: true });
        for (const [key, day] of general.days) {
          // A replayable reader keeps each day's log: the day as it stood at any instant.
          const now = day.schedule.lineStartMs[Math.floor(day.schedule.lineCount / 3)] as number;
          assert.deepEqual(replayable.builder.lines(...(key.split(' ') as [string, string]), now), day.lines(now), key);
        }
        for (const { builder, summary } of [fastLines(bytes, [bufferSize, 3, 61]), fastLinesThroughReusedBuffer(bytes, bufferSize), replayable]) {
          assertSameLines(builder.days, general.days);
          for (const [key, day] of general.days) {
            const fast = builder.days.get(key)!;
            assert.deepEqual(fast.totals(Number.MAX_SAFE_INTEGER), day.totals(Number.MAX_SAFE_INTEGER), key);
            assert.equal(fast.tradeCount, day.tradeCount, key);
            assert.equal(fast.duplicateCount, day.duplicateCount, key);
          }
          assert.deepEqual(summary.rejections, general.rejections);
          assert.equal(summary.rejected, general.rejections.length);
          assert.equal(summary.accepted + summary.duplicates, general.accepted);
        }
      }),
      { seed: 1125, numRuns: 300 },
    );
  });

  it('refuses a header without the required columns, like the general reader', () => {
    const builder = new CsvLinesBuilder();
    assert.throws(() => {
      builder.push(Buffer.from('symbol,price,volume\n700.HK,1,1\n'));
      builder.end();
    }, /missing required column timestamp/);
    assert.equal(localDate('HK', HK_OPEN), '2024-06-14');
  });
});
