import { RateLimiter, type CommandRateLimiter } from './token-bucket.js';
import { silentLogger, type Logger } from '../../logging/logger.js';

export interface FailoverRateLimiterOptions {
  /** Longest a decision waits for the shared buckets (default 1 s). */
  readonly sharedWaitMs?: number;
  /** After the shared buckets failed, how long decisions stay local before they are tried again (default 1 s). */
  readonly localForMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * Fleet-wide rate limits that keep working when their database does not: a decision the shared
 * buckets do not give within `sharedWaitMs` (or fail to give) is taken by this gateway's own
 * buckets, and for `localForMs` after such a failure every decision is local, so no request
 * waits on a database known to be down. While local, each gateway enforces the limits on its
 * own (a fleet of G gateways lets up to G times the limit through); a request is never refused
 * or failed because the limiter cannot be reached. Logged once when it falls back, once when the
 * shared buckets answer again.
 */
export class FailoverRateLimiter implements CommandRateLimiter {
  private readonly local: RateLimiter;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly sharedWaitMs: number;
  private readonly localForMs: number;
  private localUntil = 0;
  private failing = false;

  constructor(
    private readonly shared: CommandRateLimiter,
    options: FailoverRateLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.local = new RateLimiter(this.now);
    this.logger = options.logger ?? silentLogger();
    this.sharedWaitMs = options.sharedWaitMs ?? 1000;
    this.localForMs = options.localForMs ?? 1000;
  }

  tryTake(principal: string, command: number, limit: number, burst: number): boolean | Promise<boolean> {
    if (this.now() < this.localUntil) return this.local.tryTake(principal, command, limit, burst);
    let timer: NodeJS.Timeout | undefined;
    const answer = Promise.race([
      Promise.resolve().then(() => this.shared.tryTake(principal, command, limit, burst)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.sharedWaitMs} ms`)), this.sharedWaitMs);
      }),
    ]);
    return answer.then(
      (taken) => {
        clearTimeout(timer);
        if (this.failing) {
          this.failing = false;
          this.logger.info('rate limits: the shared buckets answer again');
        }
        return taken;
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.localUntil = this.now() + this.localForMs;
        if (!this.failing) {
          this.failing = true;
          this.logger.warn({ err: error }, 'rate limits: the shared buckets did not answer; this gateway limits by its own buckets until they do');
        }
        return this.local.tryTake(principal, command, limit, burst);
      },
    );
  }
}
