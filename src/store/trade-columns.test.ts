import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MethodCode } from '../engine/classification/classify.js';
import { QUOTE_ABSENT, TradeFields, tradeFields } from '../engine/trade-fields.js';
import { Direction } from '../model/trade.js';
import type { StoredTrade } from './flow-store.js';
import { columnsOfTrades, TradeColumns } from './trade-columns.js';

const DATE = '2024-06-14';

describe('TradeColumns and TradeFields', () => {
  it('reads back the record a row was added from, id bytes copied, BigInt units kept exactly', () => {
    const columns = new TradeColumns(16); // small: the batch grows while rows are added
    const source = new TextEncoder().encode('xxT-7yy');
    const day = columns.dayOf('700.HK', DATE);
    const plain = tradeFields({ timestampMs: 1718328600000, priceUnits: 32020, priceScale: 2, volume: 500, direction: Direction.Down, bidUnits: 32000, bidScale: 2 });
    plain.setId(source, 2, 5);
    const huge = tradeFields({ timestampMs: 1718328601000, priceUnits: 2n ** 60n, priceScale: 3, volume: 1, askUnits: 5, askScale: 0, tradeType: 'U' });
    const rows = [columns.addRow(day, plain, 2), columns.addRow(day, huge, -1)];
    for (let k = 0; k < 40; k++) columns.addRow(day, plain, 2);
    source.fill(0); // the batch holds its own copy of the id
    const read = columns.read(rows[0]!, new TradeFields());
    assert.deepEqual(
      [read.timestampMs, read.priceUnits, read.priceScale, read.volume, read.direction, read.bidUnits, read.bidScale, read.askUnits, read.idText(), read.tradeType],
      [1718328600000, 32020, 2, 500, Direction.Down, 32000, 2, QUOTE_ABSENT, 'T-7', undefined],
    );
    assert.equal(read.method, MethodCode.LeeReady, "classification index 2 is 'lee-ready'");
    columns.read(rows[1]!, read);
    assert.deepEqual(
      [read.priceUnits, read.priceScale, read.bidUnits, read.askUnits, read.askScale, read.idText(), read.tradeType, read.method],
      [2n ** 60n, 3, QUOTE_ABSENT, 5, 0, undefined, 'U', MethodCode.LeeReady],
    );
    assert.ok(Number.isNaN(columns.priceUnits[rows[1]!]!), 'a row beyond a Number keeps its decimals in `exact`');
    assert.equal(columns.count, 42);
  });

  it('gives back the trades it was made of, as objects and through a copy', () => {
    const trades: StoredTrade[] = [
      { symbol: '700.HK', date: DATE, seq: 1, timestamp: 1718328600000, price: { units: 32020n, scale: 2 }, volume: 100, tradeId: 'é-1', classification: 'tick' },
      { symbol: '700.HK', date: DATE, seq: 2, timestamp: 1718328600500, price: { units: 10n ** 30n, scale: 25 }, volume: 3, bid: { units: 1n, scale: 0 }, direction: Direction.Up, tradeType: 'D' },
    ];
    const columns = columnsOfTrades(trades);
    assert.deepEqual([columns.storedTrade(0), columns.storedTrade(1)], trades);
    const copy = new TradeColumns();
    copy.copyRow(columns, 1);
    copy.copyRow(columns, 0);
    assert.deepEqual([copy.storedTrade(0), copy.storedTrade(1)], [trades[1], trades[0]]);
  });
});
