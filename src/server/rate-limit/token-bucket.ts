import { rateLimited } from '../../model/errors.js';
import type { RateLimitRule } from '../auth/credential.js';

/**
 * How many tokens the server's bucket of a (credential, command) holds: `2 × burst + limit`,
 * refilled continuously at `limit` per second.
 *
 * Why: an official SDK paces itself with its own bucket of `burst` tokens, refilled with `limit`
 * tokens in whole-second steps from its own start. Whatever the alignment of those steps, one
 * client instance sends at most `burst + limit` requests before the server's bucket has refilled
 * anything (SDK 3.0.18 starts its bucket empty, newer SDKs start it full). A client restarted
 * right after its previous instance drained the server's bucket starts full again and sends one
 * more `burst` at once: the second `burst` absorbs that. So a client that paces itself by the
 * advertised numbers is never refused, even across one restart at any moment; a client that
 * restarts again before the server's bucket has refilled (it refills whenever the client sends
 * below `limit`) or does not pace itself is refused with 3/301606.
 */
export function bucketCapacity(limit: number, burst: number): number {
  return 2 * burst + limit;
}

/**
 * Takes rate-limit tokens per (principal, command). The in-memory default answers at once; a
 * limiter shared by several gateways (PostgreSQL) answers with a promise.
 */
export interface CommandRateLimiter {
  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  tryTake(principal: string, command: number, limit: number, burst: number): boolean | Promise<boolean>;
}

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
