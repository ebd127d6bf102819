import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupByPeriod, periodEnd, periodStart } from './flow-history.js';

describe('history periods in the local calendar', () => {
  it('weeks start on Monday (ISO), also across a year end', () => {
    assert.equal(periodStart('2024-01-07', 'week'), '2024-01-01'); // Sunday → its Monday
    assert.equal(periodStart('2024-01-08', 'week'), '2024-01-08'); // Monday is its own start
    assert.equal(periodStart('2024-12-31', 'week'), '2024-12-30');
    assert.equal(periodStart('2021-01-01', 'week'), '2020-12-28'); // Friday of ISO week 53 of 2020
    assert.equal(periodEnd('2020-12-28', 'week'), '2021-01-03');
  });

  it('months, quarters and years start on their first day and end on their last', () => {
    assert.deepEqual(['2024-03-31', '2024-04-01', '2024-06-30', '2024-12-31'].map((d) => periodStart(d, 'quarter')), ['2024-01-01', '2024-04-01', '2024-04-01', '2024-10-01']);
    assert.equal(periodStart('2024-02-29', 'month'), '2024-02-01');
    assert.equal(periodEnd('2024-02-01', 'month'), '2024-02-29');
    assert.equal(periodEnd('2023-02-01', 'month'), '2023-02-28');
    assert.equal(periodEnd('2024-10-01', 'quarter'), '2024-12-31');
    assert.equal(periodEnd('2024-01-01', 'year'), '2024-12-31');
    assert.equal(periodStart('2024-07-15', 'year'), '2024-01-01');
    assert.equal(periodStart('2024-07-15', 'day'), '2024-07-15');
  });

  it('groups trading days by period in date order', () => {
    assert.deepEqual(groupByPeriod(['2024-04-01', '2024-03-29', '2024-01-02'], 'quarter'), [
      ['2024-01-01', ['2024-01-02', '2024-03-29']],
      ['2024-04-01', ['2024-04-01']],
    ]);
  });
});
