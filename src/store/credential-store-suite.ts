import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DuplicateAppKeyError, type CredentialRecord, type CredentialStore } from './credential-store.js';

/** A record for the suite (fields overridable). */
export function credentialRecord(overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  return {
    appKey: 'k1',
    sealedSecret: 'plain:s1',
    tokenSha256: 'a'.repeat(64),
    markets: ['HK', 'US'],
    connections: 3,
    rateLimits: { '24': { limit: 5, burst: 7 } },
    expiresAt: null,
    ingest: false,
    bearer: false,
    streams: null,
    mcpTokenSha256: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    revokedAt: null,
    ...overrides,
  };
}

/**
 * The behaviour every CredentialStore must show (SQLite now, PostgreSQL next). `openStore` gives
 * an empty store each call; `openSecond` (optional) a second handle on the SAME store, as another
 * process would hold, to prove writes are seen across handles.
 */
export function describeCredentialStoreSuite(
  name: string,
  openStore: () => Promise<CredentialStore>,
  cleanup: () => Promise<void>,
  openSecond?: (first: CredentialStore) => Promise<CredentialStore>,
): void {
  describe(`CredentialStore contract: ${name}`, () => {
    afterEach(cleanup);

    it('keeps every field of an inserted record exactly', async () => {
      const store = await openStore();
      try {
        const record = credentialRecord({ expiresAt: 1_800_000_000_123 });
        await store.insert(record);
        assert.deepEqual(await store.list(), [record]);
      } finally {
        await store.close();
      }
    });

    it('keeps the bearer (OAuth) flag and the stream limit, through a replace too', async () => {
      const store = await openStore();
      try {
        const record = credentialRecord({ bearer: true, streams: 4 });
        await store.insert(record);
        assert.deepEqual(await store.list(), [record]);
        const replaced = { ...record, bearer: false, streams: null };
        assert.equal(await store.replace(replaced), true);
        assert.deepEqual(await store.list(), [replaced]);
      } finally {
        await store.close();
      }
    });

    it('keeps the MCP token hash, through a replace (rotation) and its removal too', async () => {
      const store = await openStore();
      try {
        const record = credentialRecord({ mcpTokenSha256: 'b'.repeat(64) });
        await store.insert(record);
        assert.deepEqual(await store.list(), [record]);
        const rotated = { ...record, tokenSha256: 'c'.repeat(64), mcpTokenSha256: 'd'.repeat(64) };
        assert.equal(await store.replace(rotated), true);
        assert.deepEqual(await store.list(), [rotated]);
        const without = { ...rotated, mcpTokenSha256: null };
        assert.equal(await store.replace(without), true);
        assert.deepEqual(await store.list(), [without]);
      } finally {
        await store.close();
      }
    });

    it('refuses a second insert of the same app key and keeps the first', async () => {
      const store = await openStore();
      try {
        await store.insert(credentialRecord());
        await assert.rejects(store.insert(credentialRecord({ sealedSecret: 'plain:other' })), DuplicateAppKeyError);
        assert.equal((await store.list())[0]!.sealedSecret, 'plain:s1');
      } finally {
        await store.close();
      }
    });

    it('replaces an existing record, and reports false for an unknown app key', async () => {
      const store = await openStore();
      try {
        await store.insert(credentialRecord());
        const revoked = credentialRecord({ revokedAt: 1_700_000_100_000, updatedAt: 1_700_000_100_000 });
        assert.equal(await store.replace(revoked), true);
        assert.equal(await store.replace(credentialRecord({ appKey: 'nobody' })), false);
        assert.deepEqual(await store.list(), [revoked]);
      } finally {
        await store.close();
      }
    });

    it('lists by app key and bumps the revision on every write only', async () => {
      const store = await openStore();
      try {
        assert.equal(await store.revision(), 0);
        await store.insert(credentialRecord({ appKey: 'b' }));
        await store.insert(credentialRecord({ appKey: 'a' }));
        await store.list();
        assert.equal(await store.revision(), 2);
        await store.replace(credentialRecord({ appKey: 'a', connections: 9 }));
        await store.replace(credentialRecord({ appKey: 'missing' }));
        assert.equal(await store.revision(), 3);
        assert.deepEqual((await store.list()).map((r) => r.appKey), ['a', 'b']);
      } finally {
        await store.close();
      }
    });

    if (openSecond) {
      it('shows one handle the writes of another (as another process would make them)', async () => {
        const store = await openStore();
        const other = await openSecond(store);
        try {
          await other.insert(credentialRecord({ appKey: 'x' }));
          assert.equal(await store.revision(), 1);
          assert.deepEqual((await store.list()).map((r) => r.appKey), ['x']);
        } finally {
          await other.close();
          await store.close();
        }
      });
    }
  });
}
