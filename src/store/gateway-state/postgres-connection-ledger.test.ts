/**
 * Needs PostgreSQL (127.0.0.1:5432). The fleet's connection ledger: one limit across gateways,
 * leases that make a crashed gateway's connections stop counting, and sessions moving between
 * gateways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresFlowStore } from '../postgres-flow-store.js';
import { dropSchemas, postgresUrlWithSchema, SERVICES_SKIPPED, uniqueName } from '../postgres-test-kit.js';
import { PostgresConnectionLedger } from './postgres-connection-ledger.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL connection ledger (needs PostgreSQL)', { skip: SERVICES_SKIPPED }, () => {
  const schema = uniqueName('capflow_test_ledger');
  let store: PostgresFlowStore;
  const ledgers: PostgresConnectionLedger[] = [];

  async function gateway(options: { heartbeatMs?: number; leaseMs?: number } = {}): Promise<PostgresConnectionLedger> {
    const ledger = new PostgresConnectionLedger(store.connectionPool, options);
    await ledger.start();
    ledgers.push(ledger);
    return ledger;
  }

  before(async () => {
    store = await PostgresFlowStore.open(postgresUrlWithSchema(schema));
  });
  after(async () => {
    for (const ledger of ledgers) await ledger.stop();
    await store.close();
    await dropSchemas([schema]);
  });

  it('admits up to the limit across gateways and counts a connection admitted twice once', async () => {
    const a = await gateway();
    const b = await gateway();
    assert.equal(await a.admit(1, 'limit-key', 's1', 2), 1);
    assert.equal(await a.admit(1, 'limit-key', 's1', 2), 1);
    assert.equal(await b.admit(1, 'limit-key', 's2', 2), 2);
    assert.equal(await b.admit(2, 'limit-key', 's3', 2), undefined);
    assert.equal(await a.online('limit-key'), 2);
    b.release(1);
    await sleep(50);
    assert.equal(await a.online('limit-key'), 1);
    assert.equal(await b.admit(2, 'limit-key', 's3', 2), 2);
  });

  it('never admits beyond the limit when gateways admit at the same moment', async () => {
    const gateways = [await gateway(), await gateway(), await gateway()];
    const answers = await Promise.all(gateways.flatMap((g, k) => [1, 2, 3].map((n) => g.admit(10 * k + n, 'race-key', `race-${k}-${n}`, 4))));
    assert.equal(answers.filter((answer) => answer !== undefined).length, 4);
    assert.deepEqual(answers.filter((answer) => answer !== undefined).sort(), [1, 2, 3, 4]);
    assert.equal(await gateways[0]!.online('race-key'), 4);
  });

  it('stops counting the connections of a gateway that stopped renewing its lease', async () => {
    const crashed = await gateway({ heartbeatMs: 50, leaseMs: 300 });
    const survivor = await gateway({ heartbeatMs: 50, leaseMs: 300 });
    assert.equal(await crashed.admit(1, 'crash-key', 'c1', 2), 1);
    assert.equal(await crashed.admit(2, 'crash-key', 'c2', 2), 2);
    assert.equal(await survivor.admit(1, 'crash-key', 'c3', 2), undefined);
    crashed.detach(); // as a crash: the rows stay, the lease is no longer renewed
    await sleep(150);
    assert.equal(await survivor.online('crash-key'), 2, 'a live lease keeps counting');
    await sleep(300);
    assert.equal(await survivor.online('crash-key'), 0);
    assert.equal(await survivor.admit(1, 'crash-key', 'c3', 2), 1);
  });

  it('tells the holding gateway when a session is taken by a connection elsewhere, and stops counting it', async () => {
    const holder = await gateway();
    const taker = await gateway();
    const moved: Array<[number, string]> = [];
    holder.onMoved((connectionId, sessionId) => moved.push([connectionId, sessionId]));
    assert.equal(await holder.admit(7, 'move-key', 'session-m', 1), 1);
    // Limit 1: the resumed session replaces its old connection rather than being refused.
    assert.equal(await taker.admit(3, 'move-key', 'session-m', 1), 1);
    const deadline = Date.now() + 2000;
    while (moved.length === 0 && Date.now() < deadline) await sleep(10);
    assert.deepEqual(moved, [[7, 'session-m']]);
    assert.equal(await holder.online('move-key'), 1);
  });

  it('finds moved sessions at its heartbeat when the notice was missed', async () => {
    const holder = await gateway({ heartbeatMs: 50 });
    const moved: number[] = [];
    holder.onMoved((connectionId) => moved.push(connectionId));
    assert.equal(await holder.admit(9, 'missed-key', 'session-x', 5), 1);
    // The move as another gateway commits it, but without a notice.
    await store.connectionPool.query("UPDATE gateway_connections SET moved = true WHERE session_id = 'session-x'");
    const deadline = Date.now() + 2000;
    while (moved.length === 0 && Date.now() < deadline) await sleep(10);
    assert.deepEqual(moved, [9]);
  });
});
