import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../server-test-kit.js';

describe('/readyz when a dependency hangs or fails', () => {
  let t: TestServer;
  let storeState: 'up' | 'down' | 'hung' = 'up';
  before(async () => {
    t = await startTestServer({
      server: {
        readiness: {
          // Stands in for a store check against a database that is down or frozen.
          store: () => (storeState === 'up' ? true : storeState === 'down' ? Promise.reject(new Error('ECONNREFUSED')) : new Promise<boolean>(() => undefined)),
        },
      },
    });
  });
  after(() => t.stop());

  async function readyz(): Promise<{ status: number; ms: number; checks: Record<string, boolean> }> {
    const start = Date.now();
    const response = await fetch(`${t.httpUrl}/readyz`);
    const body = (await response.json()) as { checks: Record<string, boolean> };
    return { status: response.status, ms: Date.now() - start, checks: body.checks };
  }

  it('names the failed check, answers a hung one as false within its 2 s bound, and is ready again once it answers', async () => {
    assert.deepEqual((await readyz()).checks, { accepting: true, store: true, calendars: true });
    storeState = 'down';
    const down = await readyz();
    assert.equal(down.status, 503);
    assert.deepEqual(down.checks, { accepting: true, store: false, calendars: true });
    storeState = 'hung';
    const hung = await readyz();
    assert.equal(hung.status, 503);
    assert.equal(hung.checks['store'], false);
    assert.ok(hung.ms >= 1900 && hung.ms < 4000, `answered after the 2 s bound, not later (${hung.ms} ms)`);
    storeState = 'up';
    assert.equal((await readyz()).status, 200);
  });
});
