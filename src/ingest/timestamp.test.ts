import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysFromCivil, parseTimestamp } from './timestamp.js';

function epoch(text: string): number {
  const result = parseTimestamp(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.reason}`);
  return result.epochMs;
}

function reason(text: string): string {
  const result = parseTimestamp(text);
  assert.ok(!result.ok, `${text} should be rejected`);
  return result.reason;
}

describe('parseTimestamp', () => {
  it('reads integer epoch milliseconds', () => {
    assert.equal(epoch('1675214700320'), 1675214700320);
    assert.equal(epoch('631152000000'), 631152000000); // 1990-01-01T00:00:00Z, the first trade time accepted
  });

  it('reads ISO 8601 with Z or an offset (hand-computed instants)', () => {
    // 2023-02-01 is 19389 days after 1970-01-01; 09:25:00.320 +08:00 is 01:25:00.320 UTC
    assert.equal(epoch('2023-02-01T09:25:00.320+08:00'), 19389 * 86_400_000 + 1 * 3_600_000 + 25 * 60_000 + 320);
    assert.equal(epoch('2023-02-01T01:25:00.320Z'), 1675214700320);
    assert.equal(epoch('2023-02-01T01:25:00.320z'), 1675214700320);
    assert.equal(epoch('2023-02-01 09:25:00.320+0800'), 1675214700320);
    assert.equal(epoch('2023-02-01T09:25:00.320+08'), 1675214700320);
    assert.equal(epoch('2023-01-31T20:25:00.320-05:00'), 1675214700320);
    assert.equal(epoch('2023-02-01T01:25Z'), 1675214700000);
    assert.equal(epoch('2024-02-29T00:00:00Z'), daysFromCivil(2024, 2, 29) * 86_400_000);
    assert.equal(daysFromCivil(2024, 2, 29), 19782);
  });

  it('truncates fractions finer than a millisecond', () => {
    assert.equal(epoch('2023-02-01T01:25:00.320999999Z'), 1675214700320);
    assert.equal(epoch('2023-02-01T01:25:00.9Z'), 1675214700900);
    assert.equal(epoch('2023-02-01T01:25:00,05Z'), 1675214700050);
  });

  it('rejects a timestamp without an offset as ambiguous', () => {
    assert.match(reason('2023-02-01T09:25:00.320'), /no UTC offset: ambiguous/);
    assert.match(reason('2023-02-01T09:25'), /no UTC offset/);
  });

  it('rejects impossible dates, times and offsets, and other text', () => {
    assert.match(reason('2023-02-29T00:00:00Z'), /no such calendar date/);
    assert.match(reason('2023-13-01T00:00:00Z'), /no such calendar date/);
    assert.match(reason('2023-02-01T24:00:00Z'), /time of day out of range/);
    assert.match(reason('2023-02-01T23:60:00Z'), /time of day out of range/);
    assert.match(reason('2023-02-01T00:00:00+24:00'), /UTC offset out of range/);
    assert.match(reason('2023-02-01'), /without a time of day/);
    assert.match(reason('1675214700320.5'), /non-negative integer/);
    assert.match(reason('-5'), /non-negative integer/);
    assert.match(reason('1.6e12'), /non-negative integer/);
    assert.match(reason('yesterday'), /not epoch milliseconds or ISO 8601/);
    assert.match(reason('99999999999999999'), /out of range/);
    assert.match(reason('1969-12-31T23:59:59Z'), /out of range/);
  });

  it('accepts only 1990-01-01T00:00:00Z up to (not including) 2100-01-01T00:00:00Z', () => {
    assert.match(reason('0'), /out of range: trades must be from 1990-01-01T00:00:00Z/);
    assert.match(reason('631151999999'), /out of range/);
    assert.match(reason('1989-12-31T23:59:59.999Z'), /out of range/);
    assert.equal(epoch('2099-12-31T23:59:59.999Z'), 4_102_444_799_999);
    assert.match(reason('4102444800000'), /out of range/);
    assert.match(reason('2100-01-01T08:00:00+08:00'), /out of range/);
    assert.match(reason('9999-12-31T23:59:59.999Z'), /out of range/);
    assert.match(reason('253402300799999'), /out of range/);
    assert.match(reason('1718328605'), /out of range.*\(epoch seconds\? give milliseconds\)/);
  });
});
