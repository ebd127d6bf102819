/**
 * What a fleet of gateways must agree on: one-time passwords, socket sessions and rate-limit
 * buckets (and live connections: connection-ledger.ts). A lone gateway keeps them in memory and
 * answers at once; a fleet keeps them in PostgreSQL (postgres-gateway-state.ts) and answers with
 * promises. Both pass the same conformance suite (gateway-state-suite.ts).
 */
import type { MaybePromise } from './maybe-async.js';

/** A redeemed one-time password: whose it was and under which credential generation it was issued. */
export interface RedeemedOtp {
  readonly appKey: string;
  readonly generation: string;
}

/** Issues and redeems one-time passwords, so a token from one gateway works on another. */
export interface OtpStore {
  issue(appKey: string, generation: string): MaybePromise<string>;
  /** Consumes an OTP: its owner once, undefined when unknown, used or expired. */
  redeem(otp: string): MaybePromise<RedeemedOtp | undefined>;
  /** Forgets a credential's OTPs not issued under `keepGeneration` (all when undefined): after a rotation or revocation. */
  removeCredential(appKey: string, keepGeneration?: string): MaybePromise<void>;
}

/** A socket session: created by auth, resumable by reconnect until it expires. */
export interface Session {
  readonly id: string;
  readonly appKey: string;
  /** The credential generation it was created under: a rotation or revocation ends it. */
  readonly generation: string;
  /** Epoch ms (the `expires` of AuthResponse). */
  readonly expiresAt: number;
}

/** Sessions, so that a session created on one gateway resumes on another. */
export interface SessionRegistry {
  create(appKey: string, generation: string): MaybePromise<Session>;
  /** The live session, or undefined when unknown or expired. */
  get(id: string): MaybePromise<Session | undefined>;
  remove(id: string): MaybePromise<void>;
  /** Ends every session of a credential not created under `keepGeneration` (all when undefined), however many. */
  removeCredential(appKey: string, keepGeneration?: string): MaybePromise<void>;
}

/** Takes rate-limit tokens per (principal, command): per credential, shared by socket and HTTP. */
export interface CommandRateLimiter {
  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  tryTake(principal: string, command: number, limit: number, burst: number): boolean | Promise<boolean>;
}

/**
 * How many tokens the bucket of a (credential, command) holds: `2 × burst + limit`, refilled
 * continuously at `limit` per second.
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
