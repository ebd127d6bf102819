import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { describeCredentialStoreSuite, credentialRecord } from './credential-store-suite.js';
import { SqliteCredentialStore } from './sqlite-credential-store.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-cred-'));
  dirs.push(dir);
  return dir;
}
async function removeDirs(): Promise<void> {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
const opened = new Map<SqliteCredentialStore, string>();
async function openFresh(): Promise<SqliteCredentialStore> {
  const dir = tempDir();
  const store = await SqliteCredentialStore.open(dir);
  opened.set(store, dir);
  return store;
}

describeCredentialStoreSuite('SqliteCredentialStore', openFresh, removeDirs, async (first) =>
  SqliteCredentialStore.open(opened.get(first as SqliteCredentialStore)!),
);

describe('SqliteCredentialStore', () => {
  after(removeDirs);

  it('shares capflow.db with the flow store without disturbing its schema', async () => {
    const dir = tempDir();
    const flows = await SqliteFlowStore.open(dir);
    const credentials = await SqliteCredentialStore.open(dir);
    await credentials.insert(credentialRecord());
    await credentials.close();
    await flows.close();
    const again = await SqliteFlowStore.open(dir);
    assert.equal(again.schemaVersion, SQLITE_SCHEMA_VERSION);
    await again.close();
    const reopened = await SqliteCredentialStore.open(dir);
    assert.deepEqual((await reopened.list()).map((r) => r.appKey), ['k1']);
    await reopened.close();
  });

  it('adds the bearer, streams and MCP token columns to a file written before them, keeping its rows', async () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'capflow.db'));
    db.exec(`CREATE TABLE credentials (
      app_key TEXT PRIMARY KEY, sealed_secret TEXT NOT NULL, token_sha256 TEXT NOT NULL, markets TEXT NOT NULL,
      connections INTEGER NOT NULL, rate_limits TEXT NOT NULL, expires_at INTEGER, ingest INTEGER NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, revoked_at INTEGER) WITHOUT ROWID`);
    db.prepare(`INSERT INTO credentials VALUES ('old', 'plain:s', ?, '["HK"]', 2, '{}', NULL, 0, 1, 1, NULL)`).run('b'.repeat(64));
    db.close();
    const store = await SqliteCredentialStore.open(dir);
    const [row] = await store.list();
    assert.deepEqual([row?.appKey, row?.bearer, row?.streams, row?.mcpTokenSha256], ['old', false, null, null]);
    await store.insert(credentialRecord({ appKey: 'new', bearer: true, streams: 3, mcpTokenSha256: 'c'.repeat(64) }));
    assert.deepEqual((await store.list()).map((r) => [r.appKey, r.bearer, r.streams, r.mcpTokenSha256]), [['new', true, 3, 'c'.repeat(64)], ['old', false, null, null]]);
    await store.close();
  });
});
