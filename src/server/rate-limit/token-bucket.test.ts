import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from './token-bucket.js';

describe('RateLimiter', () => {
  it('holds burst + limit tokens, refills continuously at limit per second, and a refusal takes none', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const take = (): boolean => limiter.tryTake('key', 24, 10, 20);
    for (let i = 0; i < 30; i++) assert.equal(take(), true, `token ${i + 1} of 30`);
    assert.equal(take(), false);
    assert.equal(take(), false, 'refusals do not dig the bucket deeper');
    now += 100; // one token back (10 per second)
    assert.equal(take(), true);
    assert.equal(take(), false);
    now += 50; // half a token: not enough
    assert.equal(take(), false);
    now += 50;
    assert.equal(take(), true);
    now += 60_000; // refills up to the capacity only
    for (let i = 0; i < 30; i++) assert.equal(take(), true);
    assert.equal(take(), false);
  });

  it('keeps one bucket per principal and command', () => {
    const limiter = new RateLimiter(() => 0);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
    assert.equal(limiter.tryTake('a', 25, 1, 1), true, 'another command has its own bucket');
    assert.equal(limiter.tryTake('b', 24, 1, 1), true, 'another principal has its own bucket');
  });

  it('applies a changed limit to the existing bucket and starts afresh after forget', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
    now += 1000;
    assert.equal(limiter.tryTake('a', 24, 5, 5), true, 'refilled at the new rate: 5 tokens in a second');
    for (let i = 0; i < 3; i++) assert.equal(limiter.tryTake('a', 24, 5, 5), true);
    assert.equal(limiter.tryTake('a', 24, 5, 5), true);
    assert.equal(limiter.tryTake('a', 24, 5, 5), false);
    limiter.forget('a');
    assert.equal(limiter.tryTake('a', 24, 1, 1), true, 'a forgotten principal starts with a full bucket');
  });

  it('does not refill when the clock steps backwards', () => {
    let now = 10_000;
    const limiter = new RateLimiter(() => now);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    now -= 5_000;
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
  });
});
