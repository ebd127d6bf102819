import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { capturingLogger } from '../../logging/log-capture-test-kit.js';
import { FailoverRateLimiter } from './failover-rate-limiter.js';
import { bucketCapacity, type CommandRateLimiter } from './token-bucket.js';

/** A shared limiter that says yes, fails, or never answers, counting the calls it got. */
function sharedLimiter(): CommandRateLimiter & { mode: 'up' | 'down' | 'hung'; calls: number } {
  const limiter = {
    mode: 'up' as 'up' | 'down' | 'hung',
    calls: 0,
    tryTake(): Promise<boolean> {
      limiter.calls++;
      if (limiter.mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
      if (limiter.mode === 'hung') return new Promise<boolean>(() => undefined);
      return Promise.resolve(true);
    },
  };
  return limiter;
}

describe('FailoverRateLimiter', () => {
  afterEach(() => mock.timers.reset());

  it('asks the shared buckets while they answer', async () => {
    const shared = sharedLimiter();
    const limiter = new FailoverRateLimiter(shared);
    for (let k = 0; k < 5; k++) assert.equal(await limiter.tryTake('key', 24, 1, 1), true);
    assert.equal(shared.calls, 5, 'every decision is the shared one (the local bucket of 2 would have refused)');
  });

  it('limits by its own buckets while the shared ones fail, without asking them again for localForMs, and logs each switch once', async () => {
    let now = 1_000_000;
    const { logger, entries } = capturingLogger();
    const shared = sharedLimiter();
    const limiter = new FailoverRateLimiter(shared, { now: () => now, localForMs: 1000, logger });
    shared.mode = 'down';
    // limit 1, burst 1: the local bucket holds bucketCapacity(1, 1) = 2 × burst + limit = 3 tokens.
    assert.equal(bucketCapacity(1, 1), 3);
    for (let k = 0; k < 3; k++) assert.equal(await limiter.tryTake('key', 24, 1, 1), true);
    assert.equal(await limiter.tryTake('key', 24, 1, 1), false, 'the local buckets still limit');
    assert.equal(shared.calls, 1, 'a database known to be down is not asked again at once');
    now += 1000;
    assert.equal(await limiter.tryTake('key', 24, 1, 1), true, 'a token refilled locally');
    assert.equal(shared.calls, 2, 'asked again after localForMs');
    shared.mode = 'up';
    now += 1000;
    assert.equal(await limiter.tryTake('key', 24, 1, 1), true);
    assert.equal(shared.calls, 3);
    assert.deepEqual(
      entries.map((entry) => [entry.level, entry.msg]),
      [
        [40, 'rate limits: the shared buckets did not answer; this gateway limits by its own buckets until they do'],
        [30, 'rate limits: the shared buckets answer again'],
      ],
    );
    assert.equal((entries[0]?.err as { message?: string } | undefined)?.message, 'connect ECONNREFUSED'); // the shared buckets' failure, as a field
  });

  it('decides locally after sharedWaitMs when the shared buckets hang', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const shared = sharedLimiter();
    shared.mode = 'hung';
    const limiter = new FailoverRateLimiter(shared, { sharedWaitMs: 1000 });
    const decision = limiter.tryTake('key', 24, 10, 20) as Promise<boolean>;
    let settled = false;
    void decision.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    mock.timers.tick(999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    mock.timers.tick(1);
    assert.equal(await decision, true);
  });
});
