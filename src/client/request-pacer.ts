/** A command's advertised limit: `limit` requests per second with `burst` at once. */
export interface PaceRule {
  limit: number;
  burst: number;
}

/**
 * Client-side pacing by the limits of command 4, per command: a token bucket of `burst` tokens
 * refilled at `limit` per second, kept as a theoretical arrival time (GCRA) so that waiting
 * callers are served in order. The server's bucket holds `2 × burst + limit`, so a client paced
 * like this is never refused.
 */
export class RequestPacer {
  private rules = new Map<number, PaceRule>();
  /** Per command: when the bucket would next be exactly full again, in ms. */
  private readonly arrival = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Replaces the rules (after each connection's command 4); unknown commands are unpaced. */
  configure(rules: ReadonlyMap<number, PaceRule>): void {
    this.rules = new Map([...rules].filter(([, rule]) => rule.limit > 0 && rule.burst > 0));
  }

  /** Milliseconds to wait before a request of `cmd` may go; the slot is reserved. */
  reserve(cmd: number): number {
    const rule = this.rules.get(cmd);
    if (!rule) return 0;
    const interval = 1000 / rule.limit;
    const tolerance = (rule.burst - 1) * interval;
    const now = this.now();
    const theoretical = Math.max(this.arrival.get(cmd) ?? now, now);
    const sendAt = Math.max(now, theoretical - tolerance);
    this.arrival.set(cmd, theoretical + interval);
    return sendAt - now;
  }
}
