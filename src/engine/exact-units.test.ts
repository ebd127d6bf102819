import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactSums } from './exact-sums.js';
import { addUnits, compareScaled, compareToMidpoint, multiplyUnits, scaleUp } from './exact-units.js';
import { Tier, TierClassifier } from './tier-thresholds.js';

const MAX = Number.MAX_SAFE_INTEGER; // 9007199254740991

describe('exact units', () => {
  it('compares values of different scales exactly', () => {
    assert.equal(compareScaled(5794, 1, 579400, 3), 0); // 579.4 = 579.400
    assert.equal(compareScaled(57951, 2, 5794, 1), 1); // 579.51 > 579.4
    assert.equal(compareScaled(1, 0, 9999999999999999n, 16), 1); // 1 > 0.9999999999999999
    assert.equal(compareScaled(9007199254740993n, 0, MAX, 0), 1); // mixed BigInt / Number
  });

  it('finds the midpoint without division', () => {
    assert.equal(compareToMidpoint(1001, 2, 10, 0, 10020, 3), 0); // 10.01 vs (10 + 10.020) / 2
    assert.equal(compareToMidpoint(10015, 3, 1000, 2, 1002, 2), 1);
    assert.equal(compareToMidpoint(10005, 3, 1000, 2, 1002, 2), -1);
    assert.equal(compareToMidpoint(MAX, 0, MAX, 0, MAX, 0), 0); // 2·price leaves the safe range
  });

  it('moves to BigInt exactly when a product or sum leaves the safe range', () => {
    assert.equal(multiplyUnits(999999999999, 9_000_000), 8999999999991000000n);
    assert.equal(multiplyUnits(3, 7), 21);
    assert.equal(addUnits(MAX, 1), 9007199254740992n);
    assert.equal(addUnits(MAX - 1, 1), MAX);
    assert.equal(scaleUp(MAX, 1), 90071992547409910n);
    assert.equal(scaleUp(12, 20), 1200000000000000000000n);
    assert.equal(scaleUp(12, 3), 12000);
  });
});

describe('exact sums', () => {
  it('keeps exact totals across 2^53', () => {
    const sums = new ExactSums(2);
    sums.add(0, MAX);
    sums.add(0, 2);
    sums.add(0, -1);
    assert.equal(sums.value(0), 9007199254740992n);
    sums.add(0, 10n ** 20n);
    assert.equal(sums.value(0), 100009007199254740992n);
    assert.equal(sums.value(1), 0n);
    assert.equal(sums.isZero(1), true);
  });

  it('rescales every slot by a power of ten', () => {
    const sums = new ExactSums(2);
    sums.add(0, -12345);
    sums.add(1, MAX);
    sums.scaleBy(2);
    assert.equal(sums.value(0), -1234500n);
    assert.equal(sums.value(1), 900719925474099100n);
    sums.add(0, 1);
    assert.equal(sums.value(0), -1234499n);
  });
});

describe('tier classifier', () => {
  it('puts turnover equal to a threshold in the higher tier, at any scale', () => {
    const tiers = new TierClassifier({ large: 200_000, medium: 40_000 });
    assert.equal(tiers.tierOf(200_000, 0), Tier.Large);
    assert.equal(tiers.tierOf(19_999_999, 2), Tier.Medium); // 199,999.99
    assert.equal(tiers.tierOf(40_000_000, 3), Tier.Medium); // 40,000.000
    assert.equal(tiers.tierOf(39_999_999, 3), Tier.Small);
    assert.equal(tiers.tierOf(10n ** 30n, 20), Tier.Large); // 10^10 at scale 20
  });

  it('handles thresholds finer than the turnover scale', () => {
    const tiers = new TierClassifier({ large: { units: 15n, scale: 1 }, medium: { units: 1n, scale: 3 } }); // 1.5, 0.001
    assert.equal(tiers.tierOf(2, 0), Tier.Large);
    assert.equal(tiers.tierOf(1, 0), Tier.Medium);
    assert.equal(tiers.tierOf(0, 0), Tier.Small);
  });

  it('rejects negative or fractional Number thresholds', () => {
    assert.throws(() => new TierClassifier({ large: -1, medium: 0 }), RangeError);
    assert.throws(() => new TierClassifier({ large: 1.5, medium: 0 }), RangeError);
  });
});
