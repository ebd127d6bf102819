import { randomBytes } from 'node:crypto';
import type { OtpStore, RedeemedOtp } from '../../store/gateway-state/gateway-state.js';

export type { OtpStore, RedeemedOtp };
import { ExpiringGrants, type Grant } from './expiring-grants.js';

/** Single-use, short-lived one-time passwords handed out by the socket-token endpoints. */
export class OtpIssuer implements OtpStore {
  private readonly grants: ExpiringGrants<Grant>;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.grants = new ExpiringGrants(now);
  }

  /** Outstanding (issued, not redeemed, not yet swept) one-time passwords. */
  get outstanding(): number {
    return this.grants.size;
  }

  issue(appKey: string, generation: string): string {
    const otp = randomBytes(24).toString('base64url');
    this.grants.add(otp, { appKey, generation, expiresAt: this.now() + this.ttlMs });
    return otp;
  }

  redeem(otp: string): RedeemedOtp | undefined {
    const grant = this.grants.take(otp);
    if (!grant || grant.expiresAt <= this.now()) return undefined;
    return { appKey: grant.appKey, generation: grant.generation };
  }

  removeCredential(appKey: string, keepGeneration?: string): void {
    this.grants.removeCredential(appKey, keepGeneration);
  }
}
