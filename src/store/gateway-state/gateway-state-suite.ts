/**
 * The conformance suite of a gateway state (one-time passwords, sessions, rate-limit buckets):
 * the in-memory defaults of a lone gateway and the PostgreSQL state of a fleet both pass it, so
 * a fleet refuses, resumes and redeems exactly what one gateway would. Time is the suite's own
 * clock, moved by hand.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandRateLimiter, OtpStore, SessionRegistry } from './gateway-state.js';

export interface GatewayStateUnderTest {
  readonly otps: OtpStore;
  readonly sessions: SessionRegistry;
  readonly rateLimiter: CommandRateLimiter;
  close?(): Promise<void>;
}

/** Lifetimes the implementation under test is opened with. */
export const SUITE_OTP_TTL_MS = 60_000;
export const SUITE_SESSION_TTL_MS = 3_600_000;

export function gatewayStateSuite(
  name: string,
  open: (now: () => number) => Promise<GatewayStateUnderTest>,
  options: { skip?: string | false } = {},
): void {
  describe(`gateway state: ${name}`, { skip: options.skip ?? false }, () => {
    let clock = Date.UTC(2024, 5, 14, 1, 30);
    let state: GatewayStateUnderTest;
    // Every test uses its own app keys and principals, so one state serves them all.
    let serial = 0;
    const key = (what: string): string => `${what}-${process.pid}-${++serial}`;
    before(async () => {
      state = await open(() => clock);
    });
    after(() => state.close?.());

    it('redeems a one-time password once, for its owner and generation', async () => {
      const appKey = key('otp');
      const otp = await state.otps.issue(appKey, 'g1');
      assert.deepEqual(await state.otps.redeem(otp), { appKey, generation: 'g1' });
      assert.equal(await state.otps.redeem(otp), undefined);
      assert.equal(await state.otps.redeem('never-issued'), undefined);
    });

    it('lets a one-time password expire with its lifetime', async () => {
      const appKey = key('otp');
      const otp = await state.otps.issue(appKey, 'g1');
      clock += SUITE_OTP_TTL_MS;
      assert.equal(await state.otps.redeem(otp), undefined);
    });

    it("forgets a credential's one-time passwords of other generations, keeping the named one's", async () => {
      const appKey = key('otp');
      const [old, current, other] = [await state.otps.issue(appKey, 'g1'), await state.otps.issue(appKey, 'g2'), await state.otps.issue(key('otp'), 'g1')];
      await state.otps.removeCredential(appKey, 'g2');
      assert.equal(await state.otps.redeem(old), undefined);
      assert.equal((await state.otps.redeem(current))?.generation, 'g2');
      assert.equal((await state.otps.redeem(other))?.generation, 'g1'); // another credential's stay
    });

    it('keeps a session until it is removed or expires', async () => {
      const appKey = key('session');
      const session = await state.sessions.create(appKey, 'g1');
      assert.equal(session.expiresAt, clock + SUITE_SESSION_TTL_MS);
      assert.deepEqual(await state.sessions.get(session.id), session);
      await state.sessions.remove(session.id);
      assert.equal(await state.sessions.get(session.id), undefined);
      const expiring = await state.sessions.create(appKey, 'g1');
      clock += SUITE_SESSION_TTL_MS;
      assert.equal(await state.sessions.get(expiring.id), undefined);
    });

    it("ends a credential's sessions of other generations, however many", async () => {
      const appKey = key('session');
      const old = await Promise.all(Array.from({ length: 5 }, () => state.sessions.create(appKey, 'g1')));
      const kept = await state.sessions.create(appKey, 'g2');
      await state.sessions.removeCredential(appKey, 'g2');
      for (const session of old) assert.equal(await state.sessions.get(session.id), undefined);
      assert.equal((await state.sessions.get(kept.id))?.id, kept.id);
      await state.sessions.removeCredential(appKey);
      assert.equal(await state.sessions.get(kept.id), undefined);
    });

    it('gives a bucket 2 × burst + limit tokens, refilled at limit per second, per principal and command', async () => {
      const principal = key('rate');
      const take = () => state.rateLimiter.tryTake(principal, 24, 2, 3);
      for (let k = 0; k < 2 * 3 + 2; k++) assert.equal(await take(), true, `token ${k + 1}`);
      assert.equal(await take(), false);
      assert.equal(await state.rateLimiter.tryTake(principal, 25, 2, 3), true); // another command's bucket
      assert.equal(await state.rateLimiter.tryTake(key('rate'), 24, 2, 3), true); // another principal's
      clock += 499;
      assert.equal(await take(), false); // 0.998 of a token
      clock += 1;
      assert.equal(await take(), true);
      assert.equal(await take(), false); // a refused take spent nothing, a granted one its token
      clock += 60_000;
      for (let k = 0; k < 2 * 3 + 2; k++) assert.equal(await take(), true, `refilled token ${k + 1}`);
      assert.equal(await take(), false); // never beyond the capacity
    });
  });
}
