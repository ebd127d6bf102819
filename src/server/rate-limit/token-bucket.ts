import { rateLimited } from '../../model/errors.js';
import type { RateLimitRule } from '../auth/credential.js';
import { bucketCapacity, type CommandRateLimiter } from '../../store/gateway-state/gateway-state.js';

/** The limiter's interface and bucket size are the fleet state's (store/gateway-state). */
export { bucketCapacity, type CommandRateLimiter };

/**
 * Takes one token of `rule` or refuses with 3/301606 (HTTP 429) naming `what`: synchronously
 * with the in-memory limiter, with a promise when a fleet's limiter answers later.
 */
export function takeToken(limiter: CommandRateLimiter, principal: string, key: number, rule: RateLimitRule, what: string): void | Promise<void> {
  const refuse = (): never => {
    throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded for ${what}`);
  };
  const taken = limiter.tryTake(principal, key, rule.limit, rule.burst);
  if (taken instanceof Promise) return taken.then((ok) => (ok ? undefined : refuse()));
  if (!taken) refuse();
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Per-credential, per-command token buckets in this process (see `bucketCapacity`). */
export class RateLimiter implements CommandRateLimiter {
  /** Buckets by principal, then by command (no key string is built per request). */
  private readonly buckets = new Map<string, Map<number, Bucket>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  tryTake(principal: string, command: number, limit: number, burst: number): boolean {
    const capacity = bucketCapacity(limit, burst);
    const now = this.now();
    let commands = this.buckets.get(principal);
    if (!commands) {
      commands = new Map();
      this.buckets.set(principal, commands);
    }
    let bucket = commands.get(command);
    if (!bucket) {
      bucket = { tokens: capacity, updatedAt: now };
      commands.set(command, bucket);
    } else {
      const elapsed = Math.max(0, now - bucket.updatedAt);
      bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * limit) / 1000);
      bucket.updatedAt = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops the buckets of a principal (e.g. after a credential is removed). */
  forget(principal: string): void {
    this.buckets.delete(principal);
  }
}
