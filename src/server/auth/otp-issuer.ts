import { randomBytes } from 'node:crypto';

interface OtpEntry {
  appKey: string;
  expiresAt: number;
}

/**
 * Issues and redeems one-time passwords. The in-memory default answers at once; a store shared
 * by several gateways (PostgreSQL) answers with promises, so a token from one works on another.
 */
export interface OtpStore {
  issue(appKey: string): string | Promise<string>;
  /** Consumes an OTP: its app key once, undefined when unknown, used or expired. */
  redeem(otp: string): string | undefined | Promise<string | undefined>;
}

/** Single-use, short-lived one-time passwords handed out by `/v1/socket/token`. */
export class OtpIssuer implements OtpStore {
  private readonly entries = new Map<string, OtpEntry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(appKey: string): string {
    this.sweep();
    const otp = randomBytes(24).toString('base64url');
    this.entries.set(otp, { appKey, expiresAt: this.now() + this.ttlMs });
    return otp;
  }

  /** Consumes an OTP: returns its app key once, undefined when unknown, used or expired. */
  redeem(otp: string): string | undefined {
    const entry = this.entries.get(otp);
    if (!entry) return undefined;
    this.entries.delete(otp);
    return entry.expiresAt > this.now() ? entry.appKey : undefined;
  }

  private sweep(): void {
    if (this.entries.size < 1024) return;
    const now = this.now();
    for (const [otp, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(otp);
  }
}
