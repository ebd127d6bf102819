import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteCredentialStore } from '../../store/sqlite-credential-store.js';
import { testCredential } from '../server-test-kit.js';
import { accessTokenMatches } from './credential.js';
import { CompositeCredentialRegistry, CredentialConflictError, type InvalidationReason } from './composite-credential-registry.js';
import { issueCredential, revokeCredential, rotateCredential } from './managed-credentials.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-registry-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 5, 12);

describe('CompositeCredentialRegistry', () => {
  it('serves config and stored credentials; a stored one is checked by its token hash and opened secret', async () => {
    const store = await SqliteCredentialStore.open(tempDir());
    const issued = issueCredential({ appKey: 'stored', markets: ['HK'] }, undefined, T0);
    await store.insert(issued.record);
    const registry = await CompositeCredentialRegistry.open({ config: [testCredential({ appKey: 'configured' })], store, now: () => T0 });
    assert.deepEqual(registry.all().map((c) => c.appKey).sort(), ['configured', 'stored']);
    const stored = registry.byAppKey('stored')!;
    assert.equal(stored.appSecret, issued.appSecret);
    assert.equal(stored.accessToken, '');
    assert.equal(accessTokenMatches(stored, issued.accessToken), true);
    assert.equal(accessTokenMatches(stored, `${issued.accessToken}x`), false);
    assert.deepEqual([...stored.markets], ['HK']);
    await store.close();
  });

  it('refuses to start when an app key is both in the configuration and in the store', async () => {
    const store = await SqliteCredentialStore.open(tempDir());
    await store.insert(issueCredential({ appKey: 'twice', markets: ['US'] }, undefined, T0).record);
    await assert.rejects(
      CompositeCredentialRegistry.open({ config: [testCredential({ appKey: 'twice' })], store }),
      (error: Error) => error instanceof CredentialConflictError && /"twice" present both in the configuration file and in the store/.test(error.message),
    );
    await store.close();
  });

  it('a poll asked for while one runs waits for a poll that starts after the ask (no stale answer)', async () => {
    const dir = tempDir();
    const store = await SqliteCredentialStore.open(dir);
    const other = await SqliteCredentialStore.open(dir);
    const a = issueCredential({ appKey: 'a', markets: ['HK'] }, undefined, T0);
    await store.insert(a.record);
    const registry = await CompositeCredentialRegistry.open({ config: [], store, now: () => T0 });
    const events: Array<[string, InvalidationReason]> = [];
    registry.onInvalidated((appKey, reason) => events.push([appKey, reason]));
    // The running poll reads the revision before the revoke; hold it there until the revoke is in.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const revision = store.revision.bind(store);
    let calls = 0;
    store.revision = async () => {
      const value = await revision();
      if (calls++ === 0) await held;
      return value;
    };
    const running = registry.tick();
    await new Promise((resolve) => setImmediate(resolve));
    await other.replace(revokeCredential(a.record, T0));
    const asked = registry.tick();
    assert.equal(registry.tick(), asked, 'asks while a poll runs share the one queued poll');
    release();
    await running;
    await asked;
    assert.ok(calls >= 2, 'a second poll read the store');
    assert.deepEqual(events, [['a', 'revoked']], 'the revoke is seen when the ask resolves');
    await other.close();
    await store.close();
  });

  it('picks up another handle’s revoke and rotate on the next poll and names why each credential ended', async () => {
    const dir = tempDir();
    const store = await SqliteCredentialStore.open(dir);
    const other = await SqliteCredentialStore.open(dir); // as `capflow credentials` in another process
    const a = issueCredential({ appKey: 'a', markets: ['HK'] }, undefined, T0);
    const b = issueCredential({ appKey: 'b', markets: ['HK'] }, undefined, T0);
    await store.insert(a.record);
    await store.insert(b.record);
    let now = T0;
    const registry = await CompositeCredentialRegistry.open({ config: [], store, now: () => now });
    const events: Array<[string, InvalidationReason]> = [];
    registry.onInvalidated((appKey, reason) => events.push([appKey, reason]));

    await registry.tick();
    assert.deepEqual(events, []);
    await other.replace(revokeCredential(a.record, T0 + 1000));
    const rotated = rotateCredential(b.record, undefined, T0 + 1000);
    await other.replace(rotated.record);
    now = T0 + 2000;
    await registry.tick();
    assert.deepEqual(events, [
      ['a', 'revoked'],
      ['b', 'rotated'],
    ]);
    // A revoked credential stays known, with its revocation as expiry (403 "expired or revoked", not 401).
    assert.equal(registry.byAppKey('a')!.expiresAt, T0 + 1000);
    assert.equal(accessTokenMatches(registry.byAppKey('b')!, b.accessToken), false);
    assert.equal(accessTokenMatches(registry.byAppKey('b')!, rotated.accessToken), true);
    await other.close();
    await store.close();
  });

  it('reports a credential whose expiry passes on the wall clock exactly once, and config reloads that remove or change one', async () => {
    let now = T0;
    const registry = await CompositeCredentialRegistry.open({
      config: [testCredential({ appKey: 'soon', expiresAt: T0 + 5000 }), testCredential({ appKey: 'gone' }), testCredential({ appKey: 'kept' })],
      now: () => now,
    });
    const events: Array<[string, InvalidationReason]> = [];
    registry.onInvalidated((appKey, reason) => events.push([appKey, reason]));
    now = T0 + 4999;
    await registry.tick();
    assert.deepEqual(events, []);
    now = T0 + 5000;
    await registry.tick();
    await registry.tick();
    assert.deepEqual(events, [['soon', 'expired']]);
    registry.reloadConfig([testCredential({ appKey: 'kept', accessToken: 'new-token', rateLimits: { 24: { limit: 1, burst: 1 } } })]);
    assert.deepEqual(events.slice(1), [
      ['gone', 'removed'],
      ['kept', 'rotated'],
    ]);
    assert.deepEqual(registry.byAppKey('kept')!.rateLimits.get(24), { limit: 1, burst: 1 });
  });
});
