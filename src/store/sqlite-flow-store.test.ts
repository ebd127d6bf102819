import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { describeFlowStoreSuite } from './flow-store-suite.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-sqlite-'));
  dirs.push(dir);
  return dir;
}
async function removeDirs(): Promise<void> {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

describeFlowStoreSuite('SqliteFlowStore', () => SqliteFlowStore.open(tempDir()), removeDirs);

describe('SqliteFlowStore', () => {
  after(removeDirs);

  const trade = (n: number) => ({
    trade: { symbol: '700.HK', timestamp: Date.UTC(2024, 2, 1, 1, 30) + n, price: { units: 3507n, scale: 2 }, volume: n + 1 },
    date: '2024-03-01',
  });

  it('creates the data directory with one capflow.db in WAL mode, synchronous=FULL', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = await SqliteFlowStore.open(dir);
    await store.close();
    assert.ok(existsSync(join(dir, 'capflow.db')));
    const db = new Database(join(dir, 'capflow.db'));
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.prepare('SELECT version FROM schema_version').pluck().get(), SQLITE_SCHEMA_VERSION);
    } finally {
      db.close();
    }
    const reopened = await SqliteFlowStore.open(dir);
    try {
      assert.equal(reopened.schemaVersion, SQLITE_SCHEMA_VERSION);
      // synchronous is a per-connection setting: 2 is FULL
      assert.deepEqual(reopened.durability(), { journalMode: 'wal', synchronous: 2 });
    } finally {
      await reopened.close();
    }
  });

  it('keeps trades and positions across close and reopen', async () => {
    const dir = tempDir();
    const first = await SqliteFlowStore.open(dir);
    await first.appendTrades([trade(0), trade(1)], { sourceId: 'f', position: 2 });
    const before = await first.tradesAfter(0, 10);
    await first.close();
    await first.close(); // closing twice is harmless
    const second = await SqliteFlowStore.open(dir);
    try {
      assert.deepEqual(await second.tradesAfter(0, 10), before);
      assert.equal(await second.sourcePosition('f'), 2);
      const next = await second.appendTrades([trade(2)]);
      assert.equal(next.stored[0]!.seq, before[1]!.seq + 1);
    } finally {
      await second.close();
    }
  });

  it('lets two connections to one directory (a server and an ingest) see each other’s commits', async () => {
    const dir = tempDir();
    const server = await SqliteFlowStore.open(dir);
    const ingest = await SqliteFlowStore.open(dir);
    try {
      await ingest.appendTrades([trade(0)]);
      await server.appendTrades([trade(1)]);
      await ingest.appendTrades([trade(2)]);
      assert.deepEqual(
        (await server.tradesAfter(0, 10)).map((t) => [t.seq, t.volume]),
        [[1, 1], [2, 2], [3, 3]],
      );
    } finally {
      await server.close();
      await ingest.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const dir = tempDir();
    await (await SqliteFlowStore.open(dir)).close();
    const db = new Database(join(dir, 'capflow.db'));
    db.prepare('UPDATE schema_version SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
    db.close();
    await assert.rejects(SqliteFlowStore.open(dir), /newer than this capflow understands/);
  });

  it('reads the trades after any seq, in order, past wide blocks (an append over many symbol-days) and later appends of another writer', async () => {
    const dir = tempDir();
    const store = await SqliteFlowStore.open(dir);
    const other = await SqliteFlowStore.open(dir);
    const ids: string[] = [];
    const append = async (writer: SqliteFlowStore, count: number): Promise<void> => {
      const batch = Array.from({ length: count }, (_, i) => {
        const id = `w${ids.length + i}`;
        // Three symbols interleaved: each block of the append spans nearly all of its seqs.
        return { trade: { symbol: ['700.HK', '5.HK', '9988.HK'][i % 3]!, timestamp: Date.UTC(2024, 2, 1, 2) + ids.length + i, price: { units: 3507n, scale: 2 }, volume: 1, tradeId: id }, date: '2024-03-01' };
      });
      await writer.appendTrades(batch);
      ids.push(...batch.map((one) => one.trade.tradeId));
    };
    // Seq n is the n-th trade appended (one writer at a time, no duplicates).
    const expectAfter = async (after: number, limit: number): Promise<void> => {
      const got = (await store.tradesAfter(after, limit)).map((one) => `${one.seq} ${one.tradeId}`);
      const want = ids.slice(after, after + limit).map((id, k) => `${after + k + 1} ${id}`);
      assert.deepEqual(got, want, `after ${after}, limit ${limit}`);
    };
    try {
      await append(store, 300);
      for (const after of [0, 7, 100, 299, 300]) await expectAfter(after, 25); // a follower's reads
      await expectAfter(3, 10); // another reader going back
      await append(other, 90);
      await append(store, 30);
      for (const after of [120, 290, 301, 389, 400, 420]) await expectAfter(after, 40);
      await expectAfter(0, 1000);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
