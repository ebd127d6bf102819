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
});
