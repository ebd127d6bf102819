import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarFor } from '../../calendar/trading-calendar.js';
import { Direction, type Trade } from '../../model/trade.js';
import { DayFlow } from '../day-flow.js';
import { longportConvention, percentileCutoffs, sizeTierFlow, tierIndex } from './size-tier-flow.js';

const schedule = calendarFor('CN').schedule('2023-02-01');
assert.ok(schedule);
const trade = (time: string, price: bigint, scale: number, volume: number, direction: Direction): Trade => ({
  symbol: '600000.SH',
  timestamp: Date.parse(`2023-02-01T${time}+08:00`),
  price: { units: price, scale },
  volume,
  direction,
});

function sampleDay(): DayFlow {
  const day = new DayFlow(schedule as NonNullable<typeof schedule>);
  day.add(trade('09:30:01', 1000n, 2, 120_000, Direction.Up)); // 1,200,000: super-large by money
  day.add(trade('09:30:02', 200n, 2, 100_000, Direction.Down)); // 200,000: large by shares (and money)
  day.add(trade('09:30:30', 1000n, 2, 3_000, Direction.Up)); // 30,000: small
  day.add(trade('09:31:00', 1000n, 2, 5_000, Direction.Down)); // 50,000: medium
  day.add(trade('09:31:10', 1000n, 2, 100, Direction.Neutral)); // neutral: in no tier
  return day;
}

describe('size tiers and main-force flow', () => {
  it('Eastmoney 4 tiers: in/out per tier, main force = super-large + large, share of turnover', () => {
    const flow = sizeTierFlow(sampleDay(), schedule.dayEndMs, { kind: 'eastmoney', market: 'CN' });
    assert.deepEqual(flow.tiers, ['superLarge', 'large', 'medium', 'small']);
    assert.deepEqual(flow.day.in, { superLarge: '1200000.000', large: '0.000', medium: '0.000', small: '30000.000' });
    assert.deepEqual(flow.day.out, { superLarge: '0.000', large: '200000.000', medium: '50000.000', small: '0.000' });
    assert.equal(flow.day.mainForceNet, '1000000.000');
    assert.equal(flow.day.mainForceShare, '67.57'); // 1,000,000 / 1,480,000
    assert.equal(flow.lines.length, 241);
    assert.equal(flow.lines[0]?.mainForceShare, '69.93'); // 1,000,000 / 1,430,000
    assert.equal(flow.lines[1]?.mainForceNet, '0.000');
    assert.equal(flow.lines[1]?.net.medium, '-50000.000');
    assert.equal(flow.lines[240]?.mainForceNetCumulative, '1000000.000');
  });

  it('LongPort-style 3 tiers with the CN defaults (large >= 200,000, medium >= 40,000)', () => {
    const flow = sizeTierFlow(sampleDay(), schedule.dayEndMs, longportConvention('CN'));
    assert.deepEqual(flow.day.in, { large: '1200000.000', medium: '0.000', small: '30000.000' });
    assert.deepEqual(flow.day.out, { large: '200000.000', medium: '50000.000', small: '0.000' });
    assert.equal(flow.day.mainForceNet, '1000000.000');
  });

  it('Eastmoney share cut-offs apply on their own: 500,000 shares at 0.10 is super-large', () => {
    assert.equal(tierIndex({ kind: 'eastmoney', market: 'CN' }, 5_000_000n, 2, 500_000), 0);
    assert.equal(tierIndex({ kind: 'eastmoney', market: 'CN' }, 3_999_999n, 2, 19_999), 3); // 39,999.99 CNY
    assert.equal(tierIndex({ kind: 'eastmoney', market: 'CN' }, 4_000_000n, 2, 1), 2); // 40,000.00 CNY
  });

  it('Futu-style percentiles: the 90th, 70th and 45th by nearest rank, strictly above', () => {
    const cutoffs = percentileCutoffs([7, 3, 10, 1, 9, 2, 8, 4, 6, 5].map((n) => ({ units: BigInt(n), scale: 0 })));
    assert.ok(cutoffs);
    assert.deepEqual([cutoffs.superLarge.units, cutoffs.large.units, cutoffs.medium.units], [9n, 7n, 5n]);
    const convention = { kind: 'percentile', cutoffs } as const;
    assert.deepEqual(
      [10n, 9n, 8n, 7n, 6n, 5n, 1n].map((n) => tierIndex(convention, n * 100n, 2, 1)),
      [0, 1, 1, 2, 2, 3, 3],
    );
    assert.equal(percentileCutoffs([]), undefined);
  });
});
