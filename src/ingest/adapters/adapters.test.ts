import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { DayFlow } from '../../engine/day-flow.js';
import type { Trade } from '../../model/trade.js';
import { parseTradeRecord } from '../trade-parser.js';
import type { SourceItem } from '../raw-record.js';
import { roundDecimalText, scaledIntegerText, type AdapterSource } from './adapter-source.js';
import { l2TradeSource, orderSequenceSide } from './l2-trade-source.js';
import { lobsterSource } from './lobster-source.js';
import { parseLocalDateTime, parseSecondsAfterMidnight, parseTimeOfDay, wallToEpochMs } from './local-time.js';
import { mappedFileSource, parseColumnMap } from './mapped-source.js';
import { realDataFile, skipWithoutRealData } from '../../real-data-test-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'capflow-adapters-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Read {
  trades: Array<Trade & { line: number }>;
  rejected: Array<{ line: number; reason: string }>;
  classifications: Array<string | undefined>;
}
async function read(source: AdapterSource): Promise<Read> {
  const result: Read = { trades: [], rejected: [], classifications: [] };
  for await (const batch of source.items()) {
    for (const item of batch as SourceItem[]) {
      if ('error' in item) {
        result.rejected.push({ line: item.line, reason: item.error });
        continue;
      }
      const parsed = parseTradeRecord(item.line, item.fields);
      if (parsed.ok) {
        result.trades.push({ ...parsed.trade, line: item.line });
        result.classifications.push(item.classification);
      } else result.rejected.push({ line: parsed.line, reason: `${parsed.field ?? ''}: ${parsed.reason}` });
    }
  }
  return result;
}
const text = (value: { units: bigint; scale: number } | undefined): string | undefined =>
  value === undefined ? undefined : `${value.units}e-${value.scale}`;

describe('decimal text helpers', () => {
  it('writes scaled integers without trailing zeros', () => {
    assert.equal(scaledIntegerText('5794000', 4), '579.4');
    assert.equal(scaledIntegerText('5795100', 4), '579.51');
    assert.equal(scaledIntegerText('5800000', 4), '580');
    assert.equal(scaledIntegerText('25', 4), '0.0025');
  });
  it('rounds float noise half away from zero', () => {
    assert.equal(roundDecimalText('15.029999999999999', 3), '15.03');
    assert.equal(roundDecimalText('7.400000000000001', 3), '7.4');
    assert.equal(roundDecimalText('0.0015', 3), '0.002');
    assert.equal(roundDecimalText('9.9996', 3), '10');
    assert.equal(roundDecimalText('-1', 3), undefined);
  });
});

describe('local times', () => {
  it('reads seconds after midnight to the truncated millisecond', () => {
    assert.deepEqual(parseSecondsAfterMidnight('34200.015105074'), { ok: true, ms: 34_200_015 });
    assert.deepEqual(parseSecondsAfterMidnight('57599.9999'), { ok: true, ms: 57_599_999 });
    assert.equal(parseSecondsAfterMidnight('-3').ok, false);
  });
  it('reads times of day in colon and compact exchange forms', () => {
    assert.deepEqual(parseTimeOfDay('09:30:00.120'), { ok: true, ms: 34_200_120 });
    assert.deepEqual(parseTimeOfDay('93000120'), { ok: true, ms: 34_200_120 });
    assert.deepEqual(parseTimeOfDay('145700000'), { ok: true, ms: 53_820_000 });
    assert.equal(parseTimeOfDay('25:00:00').ok, false);
  });
  it('turns local wall time into the instant of that zone, daylight saving included', () => {
    const wall = parseLocalDateTime('2023.02.01T09:25:00.320');
    assert.ok(wall.ok);
    assert.equal(wallToEpochMs('Asia/Shanghai', wall.ms), Date.parse('2023-02-01T09:25:00.320+08:00'));
    const summer = parseLocalDateTime('2012-06-21 09:30:00');
    assert.ok(summer.ok);
    assert.equal(wallToEpochMs('America/New_York', summer.ms), Date.parse('2012-06-21T09:30:00-04:00'));
    const winter = parseLocalDateTime('2012-12-21T09:30:00');
    assert.ok(winter.ok);
    assert.equal(wallToEpochMs('America/New_York', winter.ms), Date.parse('2012-12-21T09:30:00-05:00'));
    assert.equal(parseLocalDateTime('2023-02-30T09:30:00').ok, false);
  });
});

describe('LOBSTER adapter', () => {
  // Book rows: ask, ask size, bid, bid size. Row i is the book after message i.
  const message = file(
    'AAPL_2012-06-21_34200000_57600000_message_1.csv',
    [
      '34200.001000000,1,11,100,5850100,-1', // new order: no trade
      '34200.500999999,4,11,40,5850100,-1', // resting sell executed: buyer-initiated
      '34260.000000001,5,0,7,5849900,1', // hidden resting buy executed: seller-initiated
      '34261.0,4,12,x,5849900,1', // bad size: rejected by validation
      '34262.0,4,12,5,5849900,0', // bad direction
      '34263.0,4,12,5,5849900,-1', // after a book without a bid
    ].join('\n') + '\n',
  );
  const orderbook = file(
    'AAPL_2012-06-21_34200000_57600000_orderbook_1.csv',
    ['5850100,100,5849800,200', '5850100,60,5849800,200', '5850100,60,-9999999999,0', '9999999999,0,5849800,5', '5850000,9,-9999999999,0', '5850000,4,-9999999999,0'].join(
      '\n',
    ) + '\n',
  );

  it('turns executions into trades with the aggressor, the prevailing quotes and New York times', async () => {
    const { trades, rejected } = await read(lobsterSource({ messageFile: message, orderbookFile: orderbook }));
    assert.equal(trades.length, 3);
    const [first, second, third] = trades;
    assert.equal(third?.bid, undefined);
    assert.equal(text(third?.ask), '585e-0');
    assert.equal(first?.symbol, 'AAPL.US');
    assert.equal(first?.timestamp, Date.parse('2012-06-21T09:30:00.500-04:00'));
    assert.equal(text(first?.price), '58501e-2');
    assert.equal(first?.volume, 40);
    assert.equal(first?.direction, 2);
    assert.equal(first?.tradeId, 'L2');
    assert.equal(text(first?.ask), '58501e-2'); // book after message 1
    assert.equal(text(first?.bid), '58498e-2');
    assert.equal(second?.timestamp, Date.parse('2012-06-21T09:31:00.000-04:00'));
    assert.equal(second?.direction, 1);
    assert.equal(text(second?.bid), '58498e-2'); // the book after message 2
    assert.equal(text(second?.ask), '58501e-2');
    assert.deepEqual(
      rejected.map((r) => r.line),
      [4, 5],
    );
    assert.match(rejected[1]?.reason ?? '', /direction/);
  });

  it('refuses message and orderbook files of different lengths', async () => {
    const short = file('AAPL_2012-06-21_x_orderbook_short.csv', '5850100,100,5849800,200\n');
    await assert.rejects(read(lobsterSource({ messageFile: message, orderbookFile: short })), /differ in length/);
  });
});

describe('SSE/SZSE Level-2 adapter', () => {
  const header = 'ChannelNo,ApplSeqNum,BidApplSeqNum,OfferApplSeqNum,SecurityID,SecurityIDSource,TradePrice,TradeQty,ExecType,TradeTime,TradeBSFlag,Market';
  const l2 = file(
    'l2.csv',
    [
      header,
      '5,10,1,2,600000,,7.400000000000001,100,,2023.02.01T09:25:00.320,N,SH', // opening auction
      '5,11,30,20,600000,,7.41,200,,2023.02.01T09:30:01.000,S,SH', // flag wins over order numbers
      '2013,50,900,901,000001,102 ,15.029999999999999,300,F,2023.02.01T10:00:00.000,,SZ', // sell order later: down
      '2013,51,905,902,000001,102 ,15.04,100,F,2023.02.01T10:00:01.000,,SZ', // buy order later: up
      '2013,52,905,0,000001,102 ,0,100,4,2023.02.01T10:00:02.000,,SZ', // cancellation: dropped
      '2013,53,906,903,000001,102 ,15.05,100,F,2023.02.01T15:00:00.000,,SZ', // closing auction print
      '2013,54,,903,000001,102 ,15.05,100,F,2023.02.01T10:01:00.000,,SZ', // no buy order: no side
      '2013,55,906,903,000001,,15.05,100,F,2023.02.01T10:01:00.000,,XX', // unknown exchange
    ].join('\n'),
  );

  it('reads sides from the flag, else the order sequence; marks auctions; drops cancellations', async () => {
    const source = l2TradeSource({ file: l2 });
    const { trades, rejected, classifications } = await read(source);
    assert.deepEqual(
      trades.map((t) => [t.symbol, t.tradeId, t.direction, t.tradeType, text(t.price)]),
      [
        ['600000.SH', 'S10', undefined, 'U', '74e-1'],
        ['600000.SH', 'S11', 1, undefined, '741e-2'],
        ['000001.SZ', 'Z50', 1, undefined, '1503e-2'],
        ['000001.SZ', 'Z51', 2, undefined, '1504e-2'],
        ['000001.SZ', 'Z53', undefined, 'U', '1505e-2'],
        ['000001.SZ', 'Z54', undefined, undefined, '1505e-2'],
      ],
    );
    assert.deepEqual(classifications, [undefined, undefined, 'order-sequence', 'order-sequence', undefined, undefined]);
    assert.equal(trades[0]?.timestamp, Date.parse('2023-02-01T09:25:00.320+08:00'));
    assert.deepEqual(
      rejected.map((r) => r.line),
      [9],
    );
    assert.equal(source.dropped?.().get('SZSE cancellation records'), 1);
  });

  it('applies the order-sequence rule by order number, not text', () => {
    assert.equal(orderSequenceSide('10', '9'), 'up');
    assert.equal(orderSequenceSide('9', '10'), 'down');
    assert.equal(orderSequenceSide('7', '7'), undefined);
    assert.equal(orderSequenceSide('', '7'), undefined);
    assert.equal(orderSequenceSide('0', '7'), undefined);
  });
});

describe('column-mapping adapter', () => {
  it('maps columns, reads time-of-day columns in a zone on a date, and side codes', async () => {
    const csv = file('vendor.csv', 'Code,Time,Px,Qty,Side\n700.HK,093000500,320.2,1000,B\n700.HK,10:15:00,320,500,S\n700.HK,1015,320,1,B\n');
    const { trades, rejected } = await read(
      mappedFileSource({
        file: csv,
        mapping: {
          columns: parseColumnMap('symbol=Code,timestamp=Time,price=Px,volume=Qty,direction=Side'),
          timeZone: 'Asia/Hong_Kong',
          date: '2024-06-14',
          sides: { B: 'up', S: 'down' },
        },
      }),
    );
    assert.deepEqual(
      trades.map((t) => [t.timestamp, t.direction, t.volume]),
      [
        [Date.parse('2024-06-14T09:30:00.500+08:00'), 2, 1000],
        [Date.parse('2024-06-14T10:15:00+08:00'), 1, 500],
      ],
    );
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]?.reason ?? '', /timestamp/);
  });

  it('reads NDJSON keys exactly, local date-times in a zone, and a fixed symbol', async () => {
    const ndjson = file('vendor.ndjson', '{"t":"2024-06-14 21:30:00.250","p":212.49,"q":"100"}\n{"t":"2024-06-14T13:30:00Z","p":212.5,"q":1}\n');
    const { trades } = await read(
      mappedFileSource({
        file: ndjson,
        mapping: { columns: parseColumnMap('timestamp=t,price=p,volume=q'), symbol: 'AAPL.US', timeZone: 'Asia/Shanghai' },
      }),
    );
    assert.deepEqual(
      trades.map((t) => [t.symbol, t.timestamp, text(t.price)]),
      [
        ['AAPL.US', Date.parse('2024-06-14T13:30:00.250Z'), '21249e-2'],
        ['AAPL.US', Date.parse('2024-06-14T13:30:00Z'), '2125e-1'],
      ],
    );
  });

  it('reads a mapped NDJSON file, gzipped file or body with the same lines as canonical NDJSON: BOM, CRLF, blank and overlong lines', async () => {
    const lines = [
      '\ufeff{"t":"2024-06-14T13:30:00Z","p":212.5,"q":1}', // a BOM before the first line
      '{"t":"2024-06-14T13:30:01Z","p":"x\ry","q":1}', // a lone CR is not a line break
      '\u00a0 ', // blank
      `{"t":"2024-06-14T13:30:02Z","p":1,"q":1,"pad":"${'p'.repeat(1 << 20)}"}`, // longer than a record may be
      '{"t":"2024-06-14T13:30:03Z","p":212.75,"q":2}',
    ];
    const content = `${lines.join('\r\n')}\r\n`;
    const mapping = { columns: parseColumnMap('timestamp=t,price=p,volume=q'), symbol: 'AAPL.US' };
    const gzipped = join(dir, 'vendor-lines.ndjson.gz');
    writeFileSync(gzipped, gzipSync(content));
    const outcomes = [];
    for (const source of [
      mappedFileSource({ file: file('vendor-lines.ndjson', content), mapping }),
      mappedFileSource({ file: gzipped, mapping }),
      mappedFileSource({ file: 'body.ndjson', body: content, mapping }),
    ]) {
      const { trades, rejected } = await read(source);
      outcomes.push({ trades: trades.map((t) => [t.line, text(t.price)]), rejected: rejected.map((r) => r.line) });
    }
    assert.deepEqual(outcomes[0], { trades: [[1, '2125e-1'], [5, '21275e-2']], rejected: [2, 4] });
    assert.deepEqual(outcomes[1], outcomes[0]);
    assert.deepEqual(outcomes[2], outcomes[0]);
  });

  it('names the missing column and refuses unknown fields', async () => {
    const csv = file('bad.csv', 'Code,Time,Px\n');
    await assert.rejects(read(mappedFileSource({ file: csv, mapping: { columns: parseColumnMap('symbol=Code,timestamp=Time,price=Px') } })), /volume/);
    assert.throws(() => parseColumnMap('pricee=Px'), /unknown field/);
  });
});

const GOOG_MESSAGES = 'raw/GOOG_2012-06-21_34200000_57600000_message_1.csv.gz';
const GOOG_ORDERBOOK = 'raw/GOOG_2012-06-21_34200000_57600000_orderbook_1.csv.gz';
const GOOG_TRADES = 'lobster-goog-2012-06-21.csv.gz';
const SSE_SZSE_L2 = 'raw/sse-szse-l2-trades-2023-02-01.csv.gz';
const SKIP = skipWithoutRealData(GOOG_MESSAGES, GOOG_ORDERBOOK, GOOG_TRADES, SSE_SZSE_L2);

describe('real feed files', { skip: SKIP }, () => {
  it("GOOG's LOBSTER pair converts to exactly the trades of lobster-goog-2012-06-21.csv.gz", async () => {
    const { trades, rejected } = await read(
      lobsterSource({
        messageFile: realDataFile(GOOG_MESSAGES)!,
        orderbookFile: realDataFile(GOOG_ORDERBOOK)!,
      }),
    );
    assert.equal(rejected.length, 0);
    const rows = gunzipSync(readFileSync(realDataFile(GOOG_TRADES)!)).toString('utf8').trimEnd().split('\n').slice(1);
    assert.equal(trades.length, rows.length);
    rows.forEach((row, index) => {
      const parsed = parseTradeRecord(index + 2, Object.fromEntries(['symbol', 'timestamp', 'price', 'volume', 'direction', 'trade_id', 'bid', 'ask'].map((k, i) => [k, row.split(',')[i] ?? ''])));
      assert.ok(parsed.ok);
      const { line: _line, ...trade } = trades[index] as Trade & { line: number };
      assert.deepEqual(trade, parsed.trade, `trade ${index + 1}`);
    });
  });

  it("000001.SZ's continuous-session order-sequence flow is -390,003,430.76 and 600000.SH's flagged day -24,384,680.86", async () => {
    const { trades, classifications } = await read(l2TradeSource({ file: realDataFile(SSE_SZSE_L2)! }));
    const schedule = calendarFor('CN').schedule('2023-02-01');
    assert.ok(schedule);
    const days = { '000001.SZ': new DayFlow(schedule), '600000.SH': new DayFlow(schedule) };
    let up = 0;
    let down = 0;
    let auction = 0;
    trades.forEach((trade, index) => {
      days[trade.symbol as keyof typeof days].add(trade);
      if (trade.symbol !== '000001.SZ') return;
      if (trade.tradeType === 'U') auction++;
      else if (classifications[index] === 'order-sequence') trade.direction === 2 ? up++ : down++;
    });
    assert.deepEqual([up, down, auction], [56_244, 76_622, 949]);
    assert.equal(days['000001.SZ'].totals(schedule.dayEndMs).inflow, '-390003430.760');
    assert.equal(days['000001.SZ'].totals(schedule.dayEndMs).in.total, '1003719609.380');
    assert.equal(days['600000.SH'].lines(schedule.dayEndMs).at(-1)?.inflow, '-24384680.860');
  });
});
