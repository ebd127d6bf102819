import { randomBytes } from 'node:crypto';
import { ExpiringGrants, type Grant } from '../../auth/expiring-grants.js';

/**
 * Short-lived single-use tokens that let a browser's EventSource (which cannot send signature
 * headers) open the live stream: a signed `POST /api/v1/stream-token` issues one for the caller's
 * credential, `?token=` redeems it once. Each records the credential generation it was issued
 * under, so a rotation or revocation voids it.
 */
export class StreamTokenIssuer {
  private readonly tokens: ExpiringGrants<Grant>;

  constructor(
    readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    /** Most tokens outstanding at once; the oldest is dropped beyond it (bounded memory). */
    private readonly maxOutstanding = 10_000,
  ) {
    this.tokens = new ExpiringGrants(now);
  }

  issue(appKey: string, generation: string): { token: string; expiresAt: number } {
    if (this.tokens.size >= this.maxOutstanding) this.tokens.dropOldest();
    const token = randomBytes(24).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.tokens.add(token, { appKey, generation, expiresAt });
    return { token, expiresAt };
  }

  /** The owner the token was issued to; undefined when unknown, used or expired. */
  redeem(token: string): { appKey: string; generation: string } | undefined {
    const entry = this.tokens.take(token);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return { appKey: entry.appKey, generation: entry.generation };
  }

  /** Forgets a credential's tokens not issued under `keepGeneration` (all when undefined). */
  removeCredential(appKey: string, keepGeneration?: string): void {
    this.tokens.removeCredential(appKey, keepGeneration);
  }
}
