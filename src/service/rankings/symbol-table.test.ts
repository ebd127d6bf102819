import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SymbolTable } from './symbol-table.js';

describe('SymbolTable', () => {
  it('numbers symbols in the order first seen, once each, with their market and day counts', () => {
    const table = new SymbolTable();
    assert.equal(table.numberOf('700.HK'), 0);
    assert.equal(table.numberOf('AAPL.US'), 1);
    assert.equal(table.numberOf('700.HK'), 0);
    assert.equal(table.size, 2);
    assert.equal(table.find('AAPL.US'), 1);
    assert.equal(table.find('9988.HK'), undefined);
    assert.deepEqual(table.markets, ['HK', 'US']);
    assert.deepEqual(table.names, ['700.HK', 'AAPL.US']);
    table.days[0]!.set('2024-06-14', 3);
    assert.equal(table.tradesOn('700.HK', '2024-06-14'), 3);
    assert.equal(table.tradesOn('700.HK', '2024-06-13'), 0);
    assert.equal(table.tradesOn('9988.HK', '2024-06-14'), 0);
  });

  it('keeps a symbol it cannot parse, without a market', () => {
    const table = new SymbolTable();
    const id = table.numberOf('not a symbol');
    assert.equal(table.parsed[id], undefined);
    assert.equal(table.markets[id], undefined);
  });
});
