import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bucketCapacity, RateLimiter } from './token-bucket.js';

/**
 * A client-side limiter as the official SDKs build it from command 4's numbers: `burst` tokens at
 * most, `limit` more at each whole second counted from its own start; newer SDKs start full,
 * 3.0.18 started empty. Time only moves forward.
 */
class SdkLimiter {
  private level: number;
  private step = 0;
  constructor(
    private readonly limit: number,
    private readonly burst: number,
    private readonly startedAt: number,
    startFull: boolean,
  ) {
    this.level = startFull ? burst : 0;
  }

  available(now: number): number {
    const steps = Math.floor((now - this.startedAt) / 1000);
    for (; this.step < steps; this.step++) this.level = Math.min(this.burst, this.level + this.limit);
    return this.level;
  }

  take(count: number): void {
    this.level -= count;
  }
}

/** Anything that answers "may this request go" at a time. */
type ServerBucket = (now: number) => boolean;

/** Sends everything the SDK limiter allows at each millisecond of [from, to); returns the refusals. */
function runGreedy(server: ServerBucket, sdk: SdkLimiter, from: number, to: number): number {
  let refused = 0;
  for (let t = from; t < to; t++) {
    const ready = sdk.available(t);
    if (ready <= 0) continue;
    sdk.take(ready);
    for (let i = 0; i < ready; i++) if (!server(t)) refused++;
  }
  return refused;
}

/** One client instance runs `runMs`, then after `gapMs` a new process (full limiter) runs 3 s. */
function restartScenario(server: ServerBucket, limit: number, burst: number, firstFull: boolean, offset: number, runMs: number, gapMs: number): number {
  const first = new SdkLimiter(limit, burst, offset, firstFull);
  const refused = runGreedy(server, first, offset, offset + runMs);
  const restartAt = offset + runMs + gapMs;
  return refused + runGreedy(server, new SdkLimiter(limit, burst, restartAt, true), restartAt, restartAt + 3_000);
}

function capflowBucket(limit: number, burst: number): ServerBucket {
  let clock = 0;
  const limiter = new RateLimiter(() => clock);
  return (now) => {
    clock = now;
    return limiter.tryTake('k', 24, limit, burst);
  };
}

describe('RateLimiter', () => {
  it('holds 2 × burst + limit tokens, refills continuously at limit per second, and a refusal takes none', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const take = (): boolean => limiter.tryTake('key', 24, 10, 20);
    assert.equal(bucketCapacity(10, 20), 50);
    for (let i = 0; i < 50; i++) assert.equal(take(), true, `token ${i + 1} of 50`);
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
    for (let i = 0; i < 50; i++) assert.equal(take(), true);
    assert.equal(take(), false);
  });

  it('keeps one bucket per principal and command', () => {
    const limiter = new RateLimiter(() => 0);
    for (let i = 0; i < 3; i++) assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
    assert.equal(limiter.tryTake('a', 25, 1, 1), true, 'another command has its own bucket');
    assert.equal(limiter.tryTake('b', 24, 1, 1), true, 'another principal has its own bucket');
  });

  it('applies a changed limit to the existing bucket and starts afresh after forget', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
    now += 1000;
    assert.equal(limiter.tryTake('a', 24, 5, 5), true, 'refilled at the new rate: 5 tokens in a second');
    for (let i = 0; i < 4; i++) assert.equal(limiter.tryTake('a', 24, 5, 5), true);
    assert.equal(limiter.tryTake('a', 24, 5, 5), false);
    limiter.forget('a');
    assert.equal(limiter.tryTake('a', 24, 1, 1), true, 'a forgotten principal starts with a full bucket');
  });

  it('does not refill when the clock steps backwards', () => {
    let now = 10_000;
    const limiter = new RateLimiter(() => now);
    for (let i = 0; i < 3; i++) assert.equal(limiter.tryTake('a', 24, 1, 1), true);
    now -= 5_000;
    assert.equal(limiter.tryTake('a', 24, 1, 1), false);
  });

  it('never refuses a client paced like the SDK, even restarted with a full bucket right after draining the server (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }), // limit
        fc.integer({ min: 1, max: 40 }), // burst
        fc.boolean(), // first instance starts full (newer SDKs) or empty (3.0.18)
        fc.integer({ min: 0, max: 999 }), // when the first instance starts (ms)
        fc.integer({ min: 0, max: 6_000 }), // how long it runs (ms)
        fc.integer({ min: 0, max: 1_500 }), // gap before the restarted instance starts (ms)
        (limit, burst, firstFull, offset, runMs, gapMs) => {
          const refused = restartScenario(capflowBucket(limit, burst), limit, burst, firstFull, offset, runMs, gapMs);
          assert.equal(refused, 0, `limit ${limit} burst ${burst}`);
        },
      ),
      { seed: 20240614, numRuns: 200 },
    );
  });

  it('refuses a client that does not pace itself; a bucket of only burst + limit would refuse the restarted SDK', () => {
    const server = capflowBucket(10, 20);
    const results = Array.from({ length: 51 }, () => server(0));
    assert.equal(results.filter(Boolean).length, bucketCapacity(10, 20), 'the burst beyond 2 × 20 + 10 is refused');
    assert.equal(results.at(-1), false);

    // Negative control: the same restart against a bucket of burst + limit (the previous rule).
    let tokens = 30;
    let last = 0;
    const smaller: ServerBucket = (now) => {
      tokens = Math.min(30, tokens + ((now - last) * 10) / 1000);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
    assert.ok(restartScenario(smaller, 10, 20, true, 0, 2_001, 0) > 0, "restarted just after a refill step");
    assert.equal(restartScenario(capflowBucket(10, 20), 10, 20, true, 0, 2_001, 0), 0);
  });
});
