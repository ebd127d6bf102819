import { randomBytes } from 'node:crypto';

/**
 * Short-lived single-use tokens that let a browser's EventSource (which cannot send signature
 * headers) open the live stream: a signed `POST /api/v1/stream-token` issues one for the caller's
 * credential, `?token=` redeems it once.
 */
export class StreamTokenIssuer {
  private readonly tokens = new Map<string, { appKey: string; expiresAt: number }>();

  constructor(
    readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    /** Most tokens outstanding at once; the oldest is dropped beyond it (bounded memory). */
    private readonly maxOutstanding = 10_000,
  ) {}

  issue(appKey: string): { token: string; expiresAt: number } {
    this.prune();
    if (this.tokens.size >= this.maxOutstanding) this.tokens.delete(this.tokens.keys().next().value as string);
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.tokens.set(token, { appKey, expiresAt });
    return { token, expiresAt };
  }

  /** The app key the token was issued to; undefined when unknown, used or expired. */
  redeem(token: string): string | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    this.tokens.delete(token);
    return entry.expiresAt > this.now() ? entry.appKey : undefined;
  }

  private prune(): void {
    const now = this.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}
