import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storeTrades, trade } from '../server/server-test-kit.js';
import { SqliteFlowStore } from './sqlite-flow-store.js';

describe('SqliteDaySnapshots', () => {
  const root = mkdtempSync(join(tmpdir(), 'capflow-day-snapshots-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads exactly the trades after a seq, also from inside a block and across later ones', async () => {
    const store = await SqliteFlowStore.open(join(root, 'tail'));
    try {
      const minute = (i: number): string => `2024-06-14T10:${String(i).padStart(2, '0')}:00+08:00`;
      // One append: one block of 700.HK's day (seq 1..10, with 5.HK's trades interleaved after).
      await storeTrades(store, [...Array.from({ length: 10 }, (_, i) => trade('700.HK', minute(i), '320', 100 + i)), trade('5.HK', minute(1), '60', 5)]);
      await storeTrades(store, [trade('700.HK', minute(20), '321', 999), trade('700.HK', minute(21), '322', 998)]);
      const all = await store.readDayColumns('700.HK', '2024-06-14');
      const seqs = Array.from(all.seq.subarray(0, all.count));
      assert.equal(seqs.length, 12);
      for (const afterIndex of [0, 4, 9, 10, 11]) {
        const afterSeq = seqs[afterIndex] as number;
        const tail = await store.daySnapshots.readDayColumnsAfter('700.HK', '2024-06-14', afterSeq, seqs[10] as number);
        assert.deepEqual(
          Array.from(tail.volume.subarray(0, tail.count)),
          Array.from(all.volume.subarray(afterIndex + 1, 11)),
          `after seq ${afterSeq}, up to ${seqs[10]}`,
        );
      }
    } finally {
      await store.close();
    }
  });

  it('keeps the snapshot covering the most trades', async () => {
    const store = await SqliteFlowStore.open(join(root, 'keep'));
    try {
      const snapshots = store.daySnapshots;
      await snapshots.saveDaySnapshots([{ symbol: '700.HK', date: '2024-06-14', seq: 10, data: Uint8Array.of(1) }]);
      await snapshots.saveDaySnapshots([{ symbol: '700.HK', date: '2024-06-14', seq: 7, data: Uint8Array.of(2) }]);
      assert.deepEqual(await snapshots.daySnapshot('700.HK', '2024-06-14'), { symbol: '700.HK', date: '2024-06-14', seq: 10, data: Uint8Array.of(1) });
      await snapshots.saveDaySnapshots([{ symbol: '700.HK', date: '2024-06-14', seq: 12, data: Uint8Array.of(3) }]);
      assert.equal((await snapshots.daySnapshot('700.HK', '2024-06-14'))?.seq, 12);
      assert.equal(await snapshots.daySnapshot('5.HK', '2024-06-14'), undefined);
    } finally {
      await store.close();
    }
  });
});
