import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { runIngestCommand } from './ingest-command.js';

const dir = mkdtempSync(join(tmpdir(), 'capflow-ingest-feed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io(): { stdout: { write(t: string): void; text: string }; stderr: { write(t: string): void; text: string }; isTTY: false } {
  const sink = () => ({ text: '', write(t: string) { this.text += t; } });
  return { stdout: sink(), stderr: sink(), isTTY: false };
}

describe('capflow ingest feed formats', () => {
  it('stores Level-2 trades with the order-sequence rule and mapped trades with the chosen method, resuming on a rerun', async () => {
    const data = join(dir, 'data');
    const l2 = join(dir, 'l2.csv');
    writeFileSync(l2, 'ApplSeqNum,BidApplSeqNum,OfferApplSeqNum,SecurityID,TradePrice,TradeQty,ExecType,TradeTime,Market\n1,5,4,000001,15.03,100,F,2023.02.01T10:00:00.000,SZ\n2,5,0,000001,0,100,4,2023.02.01T10:00:01.000,SZ\n');
    const mapped = join(dir, 'vendor.csv');
    writeFileSync(mapped, 'Code,Time,Px,Qty\n000001.SZ,10:00:02,15.04,200\n');
    const first = io();
    assert.equal(await runIngestCommand([l2, '--format', 'l2', '--data', data], first), 0);
    assert.match(first.stdout.text, /1 accepted, 0 duplicates, 0 rejected/);
    assert.match(first.stdout.text, /1 SZSE cancellation records dropped/);
    const second = io();
    const mapArgs = [mapped, '--map', 'symbol=Code,timestamp=Time,price=Px,volume=Qty', '--time-zone', 'Asia/Shanghai', '--date', '2023-02-01', '--classify', 'clnv', '--data', data];
    assert.equal(await runIngestCommand(mapArgs, second), 0, second.stderr.text);
    const rerun = io();
    assert.equal(await runIngestCommand(mapArgs, rerun), 0);
    assert.match(rerun.stdout.text, /0 accepted, .* 1 skipped/);
    const store = await SqliteFlowStore.open(data);
    const trades = await store.tradesOfDay('000001.SZ', '2023-02-01');
    await store.close();
    assert.deepEqual(
      trades.map((t) => [t.tradeId, t.direction, t.classification, t.timestamp]),
      [
        ['Z1', 2, 'order-sequence', Date.parse('2023-02-01T10:00:00+08:00')],
        [undefined, undefined, 'clnv', Date.parse('2023-02-01T10:00:02+08:00')],
      ],
    );
  });

  it('refuses flags that do not fit the format and unknown methods (exit 2)', async () => {
    const out = io();
    assert.equal(await runIngestCommand(['x.csv', '--format', 'lobster', '--data', dir], out), 2);
    assert.match(out.stderr.text, /--orderbook/);
    assert.equal(await runIngestCommand(['x.csv', '--classify', 'magic', '--data', dir], io()), 2);
    assert.equal(await runIngestCommand(['x.csv', '--format', 'l2', '--map', 'price=P', '--data', dir], io()), 2);
  });
});
