import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SseParser, type ServerSentEvent } from '../../../client/sse-parser.js';
import { signedHeaders, startTestServer, storeTrades, testCredential, trade, type TestServer } from '../../server-test-kit.js';
import { Endpoint } from '../../../contract/endpoints.js';

const user = testCredential();
const hkOnly = testCredential({ appKey: 'hk-only', accessToken: 'hk-token', markets: ['HK'] });

/** An open event stream whose events can be awaited one by one. */
interface EventReader {
  readonly status: number;
  readonly raw: () => string;
  next(timeoutMs?: number): Promise<ServerSentEvent>;
  close(): void;
}

async function openStream(t: TestServer, query: string, headers: Record<string, string>): Promise<EventReader> {
  const controller = new AbortController();
  const response = await fetch(`${t.httpUrl}${Endpoint.stream.path}?${query}`, { headers, signal: controller.signal });
  const queue: ServerSentEvent[] = [];
  const waiters: (() => void)[] = [];
  let raw = '';
  if (response.ok && response.body) {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          const text = decoder.decode(chunk, { stream: true });
          raw += text;
          queue.push(...parser.push(text));
          waiters.splice(0).forEach((wake) => wake());
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status,
    raw: () => raw,
    async next(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms; stream so far: ${raw}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return queue.shift()!;
    },
    close: () => controller.abort(),
  };
}

const minute = (time: string): number => Date.parse(`2024-06-14T${time}:00+08:00`) / 1000;

describe('live stream (SSE)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      credentials: [user, hkOnly],
      clock: { kind: 'feed' }, // "now" follows the latest trade of each market
      trades: [
        trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up'), // +320,200
        trade('700.HK', '2024-06-14T09:31:10+08:00', '320', 500, 'down'), // -160,000
        trade('600000.SH', '2024-06-14T10:00:00+08:00', '7', 100, 'up'),
      ],
      server: { rest: { coalesceMs: 10, heartbeatMs: 100 } },
    });
  });
  after(() => t.stop());

  it('starts with a snapshot, then sends only new and changed minutes', async () => {
    const stream = await openStream(t, 'symbol=700.HK', signedHeaders(user, 'GET', Endpoint.stream.path, 'symbol=700.HK'));
    try {
      assert.equal(stream.status, 200);
      const snapshot = await stream.next();
      assert.equal(snapshot.event, 'snapshot');
      assert.equal(snapshot.id, '1');
      const data = JSON.parse(snapshot.data);
      assert.deepEqual([data.symbol, data.date, data.totalLines], ['700.HK', '2024-06-14', 331]);
      assert.deepEqual(
        data.lines.map((line: { inflow: string }) => line.inflow),
        ['320200.000', '160200.000'],
      );

      // A trade at 09:33 moves the feed clock: 09:32 carries forward, 09:33 adds 1,000.
      await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:33:00+08:00', '10', 100, 'up')]);
      const added = await stream.next();
      assert.equal(added.event, 'lines');
      assert.deepEqual(JSON.parse(added.data), {
        symbol: '700.HK',
        date: '2024-06-14',
        from: 2,
        lines: [
          { timestamp: minute('09:32'), time: '2024-06-14T09:32:00+08:00', inflow: '160200.000' },
          { timestamp: minute('09:33'), time: '2024-06-14T09:33:00+08:00', inflow: '161200.000' },
        ],
      });

      // A late trade stamped 09:30:30 changes every line from the first minute on.
      await storeTrades(t.store, [trade('700.HK', '2024-06-14T09:30:30+08:00', '1', 100, 'down')]);
      const revised = JSON.parse((await stream.next()).data);
      assert.equal(revised.from, 0);
      assert.deepEqual(
        revised.lines.map((line: { inflow: string }) => line.inflow),
        ['320100.000', '160100.000', '160100.000', '161100.000'],
      );
      // Heartbeat comments keep the connection alive in between.
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.match(stream.raw(), /: heartbeat\n\n/);
    } finally {
      stream.close();
    }
  });

  it('carries the tier detail with detail=1', async () => {
    const stream = await openStream(t, 'symbol=700.HK&detail=1', signedHeaders(user, 'GET', Endpoint.stream.path, 'symbol=700.HK&detail=1'));
    try {
      const data = JSON.parse((await stream.next()).data);
      assert.deepEqual(data.lines[0].out, { large: '0.000', medium: '0.000', small: '100.000', total: '100.000' });
    } finally {
      stream.close();
    }
  });

  it('opens with a single-use stream token instead of signature headers', async () => {
    const issued = await fetch(`${t.httpUrl}${Endpoint.streamToken.path}`, {
      method: 'POST',
      headers: signedHeaders(hkOnly, 'POST', Endpoint.streamToken.path),
    });
    const { data } = (await issued.json()) as { data: { token: string; ttlSeconds: number } };
    assert.equal(data.ttlSeconds, 60);
    const query = `symbol=700.HK&token=${encodeURIComponent(data.token)}`;
    const stream = await openStream(t, query, {});
    try {
      assert.equal((await stream.next()).event, 'snapshot');
    } finally {
      stream.close();
    }
    const reused = await fetch(`${t.httpUrl}${Endpoint.stream.path}?${query}`);
    assert.deepEqual([reused.status, ((await reused.json()) as { code: number }).code], [401, 401002]);
  });

  it('refuses before streaming with the same errors as the intraday call', async () => {
    const token = async (): Promise<string> => {
      const issued = await fetch(`${t.httpUrl}${Endpoint.streamToken.path}`, {
        method: 'POST',
        headers: signedHeaders(hkOnly, 'POST', Endpoint.streamToken.path),
      });
      return ((await issued.json()) as { data: { token: string } }).data.token;
    };
    const cn = await fetch(`${t.httpUrl}${Endpoint.stream.path}?symbol=600000.SH&token=${await token()}`);
    assert.deepEqual([cn.status, ((await cn.json()) as { code: number }).code], [403, 301604]);
    const unsigned = await fetch(`${t.httpUrl}${Endpoint.stream.path}?symbol=700.HK`);
    assert.deepEqual([unsigned.status, ((await unsigned.json()) as { code: number }).code], [401, 401001]);
  });

  it('ends its streams when the server stops', async () => {
    const own = await startTestServer({ trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '1', 1, 'up')] });
    const stream = await openStream(own, 'symbol=700.HK', signedHeaders(user, 'GET', Endpoint.stream.path, 'symbol=700.HK'));
    await stream.next();
    await own.stop(); // resolves only once every connection is closed
    stream.close();
  });
});

describe('live streams per credential', () => {
  const busy = testCredential({ appKey: 'busy', accessToken: 'busy-token' });
  const narrow = testCredential({ appKey: 'narrow', accessToken: 'narrow-token', streams: 2 });
  const other = testCredential({ appKey: 'other', accessToken: 'other-token' });
  const third = testCredential({ appKey: 'third', accessToken: 'third-token' });
  let t: TestServer;
  const open: EventReader[] = [];
  before(async () => {
    t = await startTestServer({
      credentials: [busy, narrow, other, third],
      trades: [trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 1000, 'up')],
      server: { rest: { heartbeatMs: 60_000, maxStreams: 14 } },
    });
  });
  after(async () => {
    for (const stream of open.splice(0)) stream.close();
    await t.stop();
  });

  const query = 'symbol=700.HK';
  const openAs = async (credential: typeof busy): Promise<EventReader> => {
    const stream = await openStream(t, query, signedHeaders(credential, 'GET', Endpoint.stream.path, query));
    if (stream.status === 200) open.push(stream);
    return stream;
  };
  const refusal = async (credential: typeof busy): Promise<[number, number]> => {
    const controller = new AbortController();
    const response = await fetch(`${t.httpUrl}${Endpoint.stream.path}?${query}`, {
      headers: signedHeaders(credential, 'GET', Endpoint.stream.path, query),
      signal: controller.signal,
    });
    if (response.status === 200) {
      controller.abort(); // a stream, not a refusal
      return [200, 0];
    }
    return [response.status, ((await response.json()) as { code: number }).code];
  };

  it('gives each credential 10 streams by default: the 11th is refused with 429 / 429002, other credentials are unaffected', async () => {
    for (let i = 0; i < 10; i++) {
      const stream = await openAs(busy);
      assert.equal(stream.status, 200, `stream ${i + 1}`);
      assert.equal((await stream.next()).event, 'snapshot');
    }
    assert.deepEqual(await refusal(busy), [429, 429002]);
    const others = await openAs(other);
    assert.equal(others.status, 200);
    assert.equal((await others.next()).event, 'snapshot');
  });

  it('applies a credential’s own `streams` limit, and a closed stream frees its place', async () => {
    const first = await openAs(narrow);
    await openAs(narrow);
    assert.deepEqual(await refusal(narrow), [429, 429002]);
    await first.next();
    first.close();
    const deadline = Date.now() + 5000;
    let again = await openAs(narrow);
    while (again.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await openAs(narrow);
    }
    assert.equal(again.status, 200, 'the closed stream no longer counts');
  });

  it('keeps the server-wide cap as a second line: 429 / 429001 once every place is taken', async () => {
    // 10 (busy) + 1 (other) + 2 (narrow) are open; the cap is 14.
    assert.equal((await openAs(third)).status, 200);
    assert.deepEqual(await refusal(third), [429, 429001]);
  });
});
