import { randomBytes } from 'node:crypto';
import type { MaybePromise } from '../../store/gateway-state/maybe-async.js';
import { ExpiringGrants, type Grant } from './expiring-grants.js';

/** A redeemed one-time password: whose it was and under which credential generation it was issued. */
export interface RedeemedOtp {
  readonly appKey: string;
  readonly generation: string;
}

/**
 * Issues and redeems one-time passwords. The in-memory default answers at once; a store shared
 * by several gateways (PostgreSQL) answers with promises, so a token from one works on another.
 */
export interface OtpStore {
  issue(appKey: string, generation: string): MaybePromise<string>;
  /** Consumes an OTP: its owner once, undefined when unknown, used or expired. */
  redeem(otp: string): MaybePromise<RedeemedOtp | undefined>;
  /** Forgets a credential's OTPs not issued under `keepGeneration` (all when undefined): after a rotation or revocation. */
  removeCredential(appKey: string, keepGeneration?: string): MaybePromise<void>;
}

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
