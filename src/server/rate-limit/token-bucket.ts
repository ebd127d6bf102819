/**
 * Per-credential, per-command token buckets refilled continuously at `limit` per second and
 * holding `burst + limit` tokens: the official SDK refills its own bucket in whole-second steps,
 * so a client pacing itself by the advertised numbers is never refused (protocol.md).
 */
/**
 * Takes rate-limit tokens per (principal, command). The in-memory default answers at once; a
 * limiter shared by several gateways (PostgreSQL) answers with a promise.
 */
export interface CommandRateLimiter {
  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  tryTake(principal: string, command: number, limit: number, burst: number): boolean | Promise<boolean>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter implements CommandRateLimiter {
  /** Buckets by principal, then by command (no key string is built per request). */
  private readonly buckets = new Map<string, Map<number, Bucket>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  tryTake(principal: string, command: number, limit: number, burst: number): boolean {
    const capacity = burst + limit;
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
