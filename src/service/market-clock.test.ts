import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MarketClock } from './market-clock.js';

describe('MarketClock (feed)', () => {
  const wall = Date.parse('2026-12-07T01:00:00Z');
  const at = (iso: string): number => Date.parse(iso);

  it('follows the latest trade time of each market', () => {
    const clock = new MarketClock({ kind: 'feed' }, () => wall);
    clock.observe('HK', at('2024-06-14T01:30:00Z'));
    clock.observe('HK', at('2024-06-14T01:20:00Z'));
    clock.observe('US', at('2024-06-14T14:00:00Z'));
    assert.equal(clock.now('HK'), at('2024-06-14T01:30:00Z'));
    assert.equal(clock.now('US'), at('2024-06-14T14:00:00Z'));
    assert.equal(clock.now('CN'), wall);
  });

  it('is not moved by a time no trade can have (stored before inputs refused them)', () => {
    const clock = new MarketClock({ kind: 'feed' }, () => wall);
    clock.observe('HK', at('2024-06-14T01:30:00Z'));
    clock.observe('HK', 253_402_300_799_999); // 9999-12-31T23:59:59.999Z: its local day is in year 10000
    clock.observe('HK', at('2099-06-14T01:30:00Z')); // in range, but decades ahead of the wall clock
    clock.observe('HK', wall + 16 * 60_000); // just beyond the 15-minute tolerance
    clock.observe('HK', Number.NaN);
    assert.equal(clock.now('HK'), at('2024-06-14T01:30:00Z'));
    clock.observe('HK', wall + 14 * 60_000); // within the tolerance: followed
    assert.equal(clock.now('HK'), wall + 14 * 60_000);
  });
});
