import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemorySessionRegistry } from '../socket/session/session-registry.js';
import { ExpiringGrants, type Grant } from './expiring-grants.js';
import { OtpIssuer } from './otp-issuer.js';

describe('ExpiringGrants', () => {
  it('answers live grants, drops expired ones as new ones come in, and forgets a credential’s by generation', () => {
    let now = 1_000;
    const grants = new ExpiringGrants<Grant>(() => now);
    for (let i = 0; i < 5; i++) grants.add(`a${i}`, { appKey: 'a', generation: i < 3 ? 'g1' : 'g2', expiresAt: now + 100 });
    grants.add('b0', { appKey: 'b', generation: 'g1', expiresAt: now + 100 });
    assert.equal(grants.get('a0')?.appKey, 'a');
    assert.equal(grants.removeCredential('a', 'g2'), 3, 'the g1 grants of a');
    assert.deepEqual(['a0', 'a3', 'a4', 'b0'].map((id) => grants.get(id) !== undefined), [false, true, true, true]);
    assert.equal(grants.removeCredential('a'), 2);
    now += 100;
    assert.equal(grants.get('b0'), undefined, 'expired at expiresAt');
    now += 1;
    grants.add('c0', { appKey: 'c', generation: 'g1', expiresAt: now + 100 });
    assert.equal(grants.size, 1, 'expired grants were dropped when a new one came');
  });

  it('takes a single-use grant once (one-time passwords)', () => {
    const otps = new OtpIssuer(60_000, () => 5_000);
    const otp = otps.issue('k', 'g');
    assert.deepEqual(otps.redeem(otp), { appKey: 'k', generation: 'g' });
    assert.equal(otps.redeem(otp), undefined);
    assert.equal(otps.outstanding, 0);
  });

  it('creates a session as cheaply with 40,000 live sessions held as with none (no scan of them per auth)', () => {
    const timeCreates = (held: number): number => {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const sessions = new InMemorySessionRegistry(24 * 3_600_000);
        for (let i = 0; i < held; i++) sessions.create(`key${i % 100}`, 'g');
        const started = process.hrtime.bigint();
        for (let i = 0; i < 2_000; i++) sessions.create('new', 'g');
        best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
      }
      return best;
    };
    const empty = timeCreates(0);
    const full = timeCreates(40_000);
    // A scan of every held session per create costs ~40,000× more per call; allow noise of a loaded machine.
    assert.ok(full < Math.max(5 * empty, 30), `2,000 creates: ${full.toFixed(1)} ms with 40,000 held vs ${empty.toFixed(1)} ms with none`);
  });
});
