/** Random canonical CSV inputs with every kind of row the byte-level readers treat differently (for property tests). */
import fc from 'fast-check';
import { calendarFor } from '../calendar/trading-calendar.js';

export const HEADER = 'symbol,timestamp,price,volume,direction,trade_id,bid,ask,trade_type';
/** 2024-06-14 09:30 Hong Kong. */
export const HK_OPEN = Date.UTC(2024, 5, 14, 1, 30);

/** Rows of every kind the readers treat differently, mostly canonical ones. */
export function randomInput(): fc.Arbitrary<string> {
  const days = [calendarFor('HK').schedule('2024-06-14')!, calendarFor('US').schedule('2024-06-14')!, calendarFor('CN').schedule('2024-06-14')!];
  const edges = days.flatMap((d) => [d.dayStartMs, d.firstSessionStartMs, d.lineStartMs[30] as number, d.lastSessionEndMs, d.dayEndMs - 1]);
  edges.push(Date.UTC(2024, 5, 15, 2, 0)); // a Saturday
  const instant = fc.constantFrom(...edges).chain((edge) => fc.integer({ min: edge - 120_000, max: edge + 120_000 }).map(String));
  const canonical = fc
    .tuple(
      fc.constantFrom('700.HK', '700.HK', '5.HK', '00005.hk', 'AAPL.US', '600000.SH', 'BAD', 'X Y.HK', 'é.HK'),
      fc.oneof({ weight: 20, arbitrary: instant }, { weight: 1, arbitrary: fc.constantFrom('2024-06-14T09:31:00+08:00', ' 1718328660000', '') }),
      fc.oneof({ weight: 20, arbitrary: fc.constantFrom('320.2', '320.20', '320.4', '7.41', '212.49', '320') }, { weight: 1, arbitrary: fc.constantFrom('0', '1e3', '99999999999.9999', '1234567890123456.5') }),
      fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 50_000 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('-5', '9007199254740993', '') }),
      fc.constantFrom('', '', '', 'up', 'down', 'SELL', '0', 'sideways'),
      fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => `T-${n}`) }, { weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('T-007', 'abc', '42', 'x'.repeat(130)) }),
      fc.constantFrom('', '', '320.1', '7.40'),
      fc.constantFrom('', '', '320.3', '7.42'),
      fc.oneof({ weight: 20, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('U', 'P') }),
    )
    .map((fields) => fields.join(','));
  const odd = fc.constantFrom(
    '',
    '700.HK,1718328660000,320.2',
    '700.HK,1718328660000,320.2,100,up,T-1,,,,extra',
    `700.HK,${HK_OPEN + 5000},320.2,100,up,${'L'.repeat(3000)},,,`,
    `"700.HK",${HK_OPEN + 6000},320.2,100,,Q-1,,,`,
    `700.HK,${HK_OPEN + 7000},320.2,100,,T-2\r,,,`,
  );
  const header = fc.constantFrom(HEADER, HEADER, `\ufeff${HEADER}`, 'SYMBOL, timestamp,price,volume,direction,trade_id,bid,ask,trade_type', 'timestamp,symbol,price,volume,direction,trade_id,bid,ask,trade_type');
  return fc
    .tuple(header, fc.array(fc.oneof({ weight: 30, arbitrary: canonical }, { weight: 1, arbitrary: odd }), { minLength: 0, maxLength: 200 }), fc.boolean(), fc.boolean())
    .map(([head, rows, crlf, finalBreak]) => {
      const eol = crlf ? '\r\n' : '\n';
      return head + eol + rows.join(eol) + (finalBreak ? eol : '');
    });
}
