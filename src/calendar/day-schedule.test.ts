import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaySchedule } from './day-schedule.js';
import { calendarFor } from './trading-calendar.js';
import type { Market } from '../model/market.js';

function scheduleOf(market: Market, date: string): DaySchedule {
  const schedule = calendarFor(market).schedule(date);
  assert.ok(schedule, `${market} ${date} should be a trading day`);
  return schedule;
}

const hm = (text: string): number => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

describe('lines per day (docs/computation.md §5)', () => {
  const cases: [Market, string, 'full' | 'half', number, string, string][] = [
    ['HK', '2024-06-03', 'full', 331, '09:30', '16:00'],
    ['US', '2024-06-03', 'full', 390, '09:30', '15:59'],
    ['CN', '2024-06-03', 'full', 241, '09:30', '15:00'],
    ['SG', '2024-06-03', 'full', 436, '09:00', '17:15'],
    ['HK', '2024-12-24', 'half', 151, '09:30', '12:00'],
    ['US', '2024-07-03', 'half', 210, '09:30', '12:59'],
    ['SG', '2024-02-09', 'half', 196, '09:00', '12:15'],
  ];
  for (const [market, date, kind, count, first, last] of cases) {
    it(`${market} ${kind} day ${date}: ${count} lines from ${first} to ${last}`, () => {
      const schedule = scheduleOf(market, date);
      assert.equal(schedule.kind, kind);
      assert.equal(schedule.lineMinutes.length, count);
      assert.equal(schedule.lineStartMs.length, count);
      assert.equal(schedule.lineMinutes[0], hm(first));
      assert.equal(schedule.lineMinutes[count - 1], hm(last));
    });
  }

  it('has no lines in the lunch break and a single line at the session end for the grace period', () => {
    const hk = scheduleOf('HK', '2024-06-03');
    assert.ok(hk.lineMinutes.includes(hm('11:59')));
    assert.ok(!hk.lineMinutes.includes(hm('12:00')));
    assert.ok(!hk.lineMinutes.includes(hm('12:59')));
    assert.ok(hk.lineMinutes.includes(hm('13:00')));
    assert.ok(!hk.lineMinutes.includes(hm('16:01')));
    assert.deepEqual(
      { sessions: hk.sessions, grace: hk.graceMinutes },
      { sessions: [{ start: 570, end: 720 }, { start: 780, end: 960 }], grace: 10 },
    );
    assert.equal(scheduleOf('US', '2024-06-03').graceMinutes, 0);
    assert.equal(scheduleOf('CN', '2024-06-03').graceMinutes, 1);
    assert.equal(scheduleOf('SG', '2024-02-09').graceMinutes, 5);
  });

  it('stamps lines with the epoch of their local minute start', () => {
    const hk = scheduleOf('HK', '2024-06-03');
    assert.equal(hk.lineStartMs[0], Date.parse('2024-06-03T09:30:00+08:00'));
    assert.equal(hk.lineStartMs[150], Date.parse('2024-06-03T13:00:00+08:00'));
    assert.equal(hk.lineStartMs[330], Date.parse('2024-06-03T16:00:00+08:00'));
    assert.equal(scheduleOf('CN', '2023-02-01').lineStartMs[0]! / 1000, 1675215000);
    assert.equal(scheduleOf('CN', '2023-02-01').lineStartMs[240]! / 1000, 1675234800);
    assert.equal(scheduleOf('US', '2012-06-21').lineStartMs[0]! / 1000, 1340285400);
  });
});

describe('US daylight saving', () => {
  it('shifts the epoch of 09:30 by an hour across the March switch', () => {
    assert.equal(calendarFor('US').schedule('2024-03-10'), undefined); // the switch itself is on a Sunday
    assert.equal(scheduleOf('US', '2024-03-08').lineStartMs[0]! / 1000, 1709908200); // 14:30Z (EST)
    assert.equal(scheduleOf('US', '2024-03-11').lineStartMs[0]! / 1000, 1710163800); // 13:30Z (EDT)
    assert.equal(scheduleOf('US', '2024-03-11').lineStartMs[389]! / 1000, 1710187140); // 15:59 EDT
  });

  it('shifts it back across the November switch', () => {
    assert.equal(calendarFor('US').schedule('2024-11-03'), undefined);
    assert.equal(scheduleOf('US', '2024-11-01').lineStartMs[0]! / 1000, 1730467800); // 13:30Z (EDT)
    assert.equal(scheduleOf('US', '2024-11-04').lineStartMs[0]! / 1000, 1730730600); // 14:30Z (EST)
    assert.equal(scheduleOf('US', '2024-11-04').lineStartMs[389]! / 1000, 1730753940); // 15:59 EST
  });

  it('maps instants on the day after a switch to their local minute', () => {
    const day = scheduleOf('US', '2024-03-11');
    assert.equal(day.lineIndexAt(Date.parse('2024-03-11T09:30:30-04:00')), 0);
    assert.equal(day.lineIndexAt(Date.parse('2024-03-11T09:30:30-05:00')), 60); // 10:30:30 EDT
    assert.equal(day.lineIndexAt(Date.parse('2024-03-11T09:29:59.999-04:00')), -1);
  });
});

describe('mapping instants to lines', () => {
  const hk = scheduleOf('HK', '2024-06-03');
  const at = (time: string): number => Date.parse(`2024-06-03T${time}+08:00`);

  it('puts session edges on the right side', () => {
    assert.equal(hk.lineIndexAt(at('09:29:59.999')), -1);
    assert.equal(hk.lineIndexAt(at('09:30:00.000')), 0);
    assert.equal(hk.lineIndexAt(at('09:30:59.999')), 0);
    assert.equal(hk.lineIndexAt(at('09:31:00.000')), 1);
    assert.equal(hk.lineIndexAt(at('11:59:59.999')), 149);
    assert.equal(hk.lineIndexAt(at('12:00:00.000')), -1);
    assert.equal(hk.lineIndexAt(at('12:59:59.999')), -1);
    assert.equal(hk.lineIndexAt(at('13:00:00.000')), 150);
    assert.equal(hk.lineIndexAt(at('15:59:59.999')), 329);
  });

  it('counts the grace period in the line stamped at the session end', () => {
    assert.equal(hk.lineIndexAt(at('16:00:00.000')), 330);
    assert.equal(hk.lineIndexAt(at('16:09:59.999')), 330);
    assert.equal(hk.lineIndexAt(at('16:10:00.000')), -1);
    assert.equal(hk.isGraceAt(at('15:59:59.999')), false);
    assert.equal(hk.isGraceAt(at('16:00:00.000')), true);
    assert.equal(hk.isGraceAt(at('16:10:00.000')), false);
    const cn = scheduleOf('CN', '2024-06-03');
    assert.equal(cn.lineIndexAt(Date.parse('2024-06-03T15:00:00.800+08:00')), 240);
    assert.equal(cn.lineIndexAt(Date.parse('2024-06-03T15:01:00.000+08:00')), -1);
    const us = scheduleOf('US', '2024-06-03');
    assert.equal(us.lineIndexAt(Date.parse('2024-06-03T15:59:59.999-04:00')), 389);
    assert.equal(us.lineIndexAt(Date.parse('2024-06-03T16:00:00.000-04:00')), -1);
    const sgHalf = scheduleOf('SG', '2024-02-09');
    assert.equal(sgHalf.lineIndexAt(Date.parse('2024-02-09T12:14:59.999+08:00')), 194);
    assert.equal(sgHalf.lineIndexAt(Date.parse('2024-02-09T12:19:59.999+08:00')), 195);
    assert.equal(sgHalf.lineIndexAt(Date.parse('2024-02-09T12:20:00.000+08:00')), -1);
  });

  it('counts visible lines: those whose minute starts at or before now', () => {
    assert.equal(hk.visibleLineCount(at('09:29:59.999')), 0);
    assert.equal(hk.visibleLineCount(at('09:30:00.000')), 1);
    assert.equal(hk.visibleLineCount(at('12:30:00')), 150);
    assert.equal(hk.visibleLineCount(at('16:00:00.000')), 331);
    assert.equal(hk.visibleLineCount(at('23:00:00')), 331);
  });

  it('knows which instants fall on its local date', () => {
    assert.equal(hk.containsInstant(at('00:00:00.000')), true);
    assert.equal(hk.containsInstant(at('23:59:59.999')), true);
    assert.equal(hk.containsInstant(Date.parse('2024-06-02T23:59:59.999+08:00')), false);
    assert.equal(hk.containsInstant(Date.parse('2024-06-04T00:00:00.000+08:00')), false);
  });
});
