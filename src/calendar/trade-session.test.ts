import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TradeSession } from './session-rules.js';
import { tradeSessionAt } from './trade-session.js';
import { calendarFor } from './trading-calendar.js';

describe('tradeSessionAt', () => {
  it('gives US trades their extended session, half days included (New York time)', () => {
    const full = calendarFor('US').schedule('2024-06-14')!;
    const at = (time: string) => tradeSessionAt(full, Date.parse(`2024-06-14T${time}-04:00`));
    assert.deepEqual(
      ['03:59:59', '04:00:00', '09:29:59', '09:30:00', '15:59:59', '16:00:00', '19:59:59', '20:00:00', '23:59:59'].map(at),
      [TradeSession.Overnight, TradeSession.Pre, TradeSession.Pre, TradeSession.Intraday, TradeSession.Intraday, TradeSession.Post, TradeSession.Post, TradeSession.Overnight, TradeSession.Overnight],
    );
    const half = calendarFor('US').schedule('2024-11-29')!; // the day after Thanksgiving: closes 13:00
    assert.equal(half.kind, 'half');
    const onHalf = (time: string) => tradeSessionAt(half, Date.parse(`2024-11-29T${time}-05:00`));
    assert.deepEqual(['12:59:59', '13:00:00', '17:30:00', '20:00:00'].map(onHalf), [TradeSession.Intraday, TradeSession.Post, TradeSession.Post, TradeSession.Overnight]);
  });

  it('is Intraday in markets without extended hours, whatever the time', () => {
    const hk = calendarFor('HK').schedule('2024-06-14')!;
    for (const time of ['09:00:00', '12:30:00', '16:05:00', '17:00:00']) {
      assert.equal(tradeSessionAt(hk, Date.parse(`2024-06-14T${time}+08:00`)), TradeSession.Intraday);
    }
  });
});
