/** Needs PostgreSQL (127.0.0.1:5432): the CredentialStore contract on PostgreSQL, each test in its own schema. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { credentialRecord, describeCredentialStoreSuite } from './credential-store-suite.js';
import { PostgresCredentialStore } from './postgres-credential-store.js';
import { dropSchemas, postgresUrlWithSchema, POSTGRES_TEST_URL, SERVICES_SKIPPED, uniqueName } from './postgres-test-kit.js';

const schemas: string[] = [];
const urls = new Map<PostgresCredentialStore, string>();
async function openFresh(): Promise<PostgresCredentialStore> {
  const schema = uniqueName('capflow_test_cred');
  schemas.push(schema);
  const url = postgresUrlWithSchema(schema);
  const store = await PostgresCredentialStore.open(url);
  urls.set(store, url);
  return store;
}
const dropAll = (): Promise<void> => dropSchemas(schemas.splice(0));

if (SERVICES_SKIPPED) {
  describe('PostgresCredentialStore (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
    it('runs the shared CredentialStore suite', () => undefined);
  });
} else {
  describeCredentialStoreSuite('PostgresCredentialStore', openFresh, dropAll, async (first) =>
    PostgresCredentialStore.open(urls.get(first as PostgresCredentialStore)!),
  );

  describe('PostgresCredentialStore', () => {
    after(dropAll);

    it('keeps the access token only as its hash and bumps the revision in the write’s own transaction', async () => {
      const store = await openFresh();
      const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await client.connect();
      try {
        await store.insert(credentialRecord({ appKey: 'k1', tokenSha256: 'b'.repeat(64) }));
        const schema = store.location.schema;
        const { rows } = await client.query(`SELECT token_sha256, sealed_secret FROM ${schema}.credentials`);
        assert.deepEqual(rows, [{ token_sha256: 'b'.repeat(64), sealed_secret: 'plain:s1' }]);
        // A write that fails (duplicate key) leaves the revision where it was.
        await assert.rejects(store.insert(credentialRecord({ appKey: 'k1' })));
        assert.equal(await store.revision(), 1);
        // While a revoke is uncommitted, another session sees neither the row change nor the new revision.
        await client.query('BEGIN');
        await client.query(`UPDATE ${schema}.credentials SET revoked_at = 5 WHERE app_key = 'k1'`);
        await client.query(`UPDATE ${schema}.credential_revision SET revision = revision + 1`);
        assert.equal(await store.revision(), 1);
        assert.equal((await store.list())[0]!.revokedAt, null);
        await client.query('COMMIT');
        assert.equal(await store.revision(), 2);
        assert.equal((await store.list())[0]!.revokedAt, 5);
      } finally {
        await client.end();
        await store.close();
      }
    });
  });
}
