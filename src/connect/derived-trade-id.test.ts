import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TRADE_ID_CHARS } from '../ingest/trade-parser.js';
import { gapId, pushId, sequenceId, sequenceOfId } from './derived-trade-id.js';

describe('derived trade ids', () => {
  it('name the symbol, the trading day and where the trade came from', () => {
    assert.equal(sequenceId('700.HK', '2024-06-14', 1234), '700.HK:20240614:1234');
    assert.equal(pushId('700.HK', '2024-06-14', 160808750000000, 3), '700.HK:20240614:p160808750000000.3');
    assert.equal(gapId('700.HK', '2024-06-14', '700.HK:20240614:p160808750000000.3', 2), '700.HK:20240614:p160808750000000.3+2');
    assert.equal(gapId('700.HK', '2024-06-14', undefined, 1), '700.HK:20240614:+1');
    // After a held gap trade the count goes on: the id does not grow with every reconnect.
    assert.equal(gapId('700.HK', '2024-06-14', '700.HK:20240614:p7.3+5', 2), '700.HK:20240614:p7.3+7');
    assert.equal(gapId('700.HK', '2024-06-14', '700.HK:20240614:+5', 1), '700.HK:20240614:+6');
  });

  it('read a sequence back only from a sequence id of the same symbol-day', () => {
    assert.equal(sequenceOfId('700.HK', '2024-06-14', '700.HK:20240614:1234'), 1234);
    assert.equal(sequenceOfId('700.HK', '2024-06-14', '700.HK:20240613:1234'), undefined);
    assert.equal(sequenceOfId('700.HK', '2024-06-14', '5.HK:20240614:1234'), undefined);
    assert.equal(sequenceOfId('700.HK', '2024-06-14', '700.HK:20240614:p1.0'), undefined);
    assert.equal(sequenceOfId('700.HK', '2024-06-14', '700.HK:20240614:1+1'), undefined);
    assert.equal(sequenceOfId('700.HK', '2024-06-14', 'T1'), undefined);
  });

  it('fit the ingest path’s trade id limit for the longest symbols and sequences', () => {
    const symbol = `${'A'.repeat(61)}.US`; // 64 characters, the longest symbol accepted
    const longestPush = pushId(symbol, '2024-06-14', 9_223_372_036_854_775_807n, 999);
    assert.ok(longestPush.length <= MAX_TRADE_ID_CHARS);
    assert.ok(gapId(symbol, '2024-06-14', gapId(symbol, '2024-06-14', longestPush, 999_999), 1000).length <= MAX_TRADE_ID_CHARS);
    assert.ok(sequenceId(symbol, '2024-06-14', Number.MAX_SAFE_INTEGER).length <= MAX_TRADE_ID_CHARS);
  });
});
