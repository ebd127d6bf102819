import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatScaled } from '../model/decimal.js';
import { formatUnits3 } from './exact-format.js';

describe('formatUnits3', () => {
  it('writes hand-checked values with three decimals, rounding half away from zero only here', () => {
    assert.equal(formatUnits3(-310255860, 0), '-310255860.000');
    assert.equal(formatUnits3(12345, 4), '1.235'); // 1.2345 → 1.235
    assert.equal(formatUnits3(-12345, 4), '-1.235');
    assert.equal(formatUnits3(12344, 4), '1.234');
    assert.equal(formatUnits3(-4, 4), '0.000'); // rounds to zero: no minus sign
    assert.equal(formatUnits3(7, 1), '0.700');
    assert.equal(formatUnits3(0, 2), '0.000');
    assert.equal(formatUnits3(Number.MAX_SAFE_INTEGER, 0), '9007199254740991.000'); // beyond Number after ×1000: BigInt path
    assert.equal(formatUnits3(10n ** 30n + 5n, 1), '100000000000000000000000000000.500');
  });

  it('equals the BigInt formatter for any safe integer and scale', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 0, max: 18 }), (units, scale) => {
        assert.equal(formatUnits3(units, scale), formatScaled(BigInt(units), scale, 3));
      }),
      { seed: 20240614, numRuns: 2000 },
    );
  });

  it('equals the BigInt formatter around the limit of the native formatting (2^52 thousandths)', () => {
    const nearLimit = fc.integer({ min: -5000, max: 5000 }).map((delta) => 2 ** 52 + delta);
    fc.assert(
      fc.property(nearLimit, fc.boolean(), fc.integer({ min: 0, max: 6 }), (magnitude, negative, scale) => {
        // Units whose thousandths land next to the limit, at scales below, at and above 3.
        const units = scale <= 3 ? Math.trunc(magnitude / 10 ** (3 - scale)) : magnitude;
        const signed = negative ? -units : units;
        assert.equal(formatUnits3(signed, scale), formatScaled(BigInt(signed), scale, 3));
      }),
      { seed: 20261206, numRuns: 3000 },
    );
    for (const units of [2 ** 52, 2 ** 52 - 1, 2 ** 52 + 1, -(2 ** 52), 2 ** 43 * 1000 - 1, 999_999_999_999_999]) {
      assert.equal(formatUnits3(units, 3), formatScaled(BigInt(units), 3, 3));
    }
  });
});
