import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchangeTime } from './time-zone.js';

describe('exchangeTime', () => {
  it('writes exchange-local time with its offset, across New York\'s clock changes, the same when asked again', () => {
    const cases: Array<[Parameters<typeof exchangeTime>[0], string, string]> = [
      ['HK', '2024-06-14T01:30:00Z', '2024-06-14T09:30:00+08:00'],
      ['CN', '2024-06-14T07:00:00Z', '2024-06-14T15:00:00+08:00'],
      ['SG', '2024-06-14T01:00:00Z', '2024-06-14T09:00:00+08:00'],
      ['US', '2024-03-08T14:30:00Z', '2024-03-08T09:30:00-05:00'], // before the change (EST)
      ['US', '2024-03-11T13:30:00Z', '2024-03-11T09:30:00-04:00'], // after it (EDT)
      ['US', '2024-11-01T13:30:00Z', '2024-11-01T09:30:00-04:00'],
      ['US', '2024-11-04T14:30:00Z', '2024-11-04T09:30:00-05:00'],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [market, instant, expected] of cases) assert.equal(exchangeTime(market, Date.parse(instant)), expected, `${market} ${instant}`);
    }
  });

  it('writes milliseconds when asked, for whole minutes and other instants alike', () => {
    assert.equal(exchangeTime('HK', Date.parse('2024-06-14T01:30:00Z'), true), '2024-06-14T09:30:00.000+08:00');
    assert.equal(exchangeTime('HK', Date.parse('2024-06-14T01:30:05.120Z'), true), '2024-06-14T09:30:05.120+08:00');
    assert.equal(exchangeTime('US', Date.parse('2024-03-11T13:30:07.005Z')), '2024-03-11T09:30:07-04:00');
  });
});
