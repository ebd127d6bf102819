import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DEMO_SEED, parseDemoSeed } from './demo-serve.js';

describe('--seed', () => {
  it('takes a whole number up to 2^32 − 1 and defaults without one', () => {
    assert.equal(parseDemoSeed(undefined), DEFAULT_DEMO_SEED);
    assert.equal(parseDemoSeed('0'), 0);
    assert.equal(parseDemoSeed('4294967295'), 4294967295);
    for (const bad of ['-1', '4294967296', '1.5', 'abc', '']) assert.throws(() => parseDemoSeed(bad), /--seed must be a whole number/);
  });
});
