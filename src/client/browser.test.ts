/**
 * The browser entry: its module graph reaches no node: module and no Node-only package, and it
 * works over the web platform's WebSocket, WebCrypto and DecompressionStream (run here in Node
 * with `ws` standing in for the browser's WebSocket).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { toBinary, create } from '@bufbuild/protobuf';
import { WebSocket as NodeWebSocket } from 'ws';
import { CapitalFlowIntradayResponseSchema, CapitalFlowIntradayResponse_CapitalFlowLineSchema } from '../protocol/gen/quote_pb.js';
import { startTestServer, testCredential, trade, type TestServer } from '../server/server-test-kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier reachable from a compiled entry (relative ones followed). */
function moduleGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files: string[] = [];
  const bare = new Set<string>();
  const pending = [entry];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  }
  return { files, bare };
}

describe('capflow/client/browser', () => {
  it('imports no node: module and no Node-only package', () => {
    const { files, bare } = moduleGraph(join(here, 'browser.js'));
    const names = files.map((file) => file.slice(here.length - 'client'.length));
    assert.ok(names.includes('client/quote-session.js') && names.includes('protocol/packet-codec.js'), 'the graph was followed');
    assert.ok(!names.some((name) => name.endsWith('node-runtime.js') || name.endsWith('node-gzip-codec.js')), names.join(', '));
    // Besides protobuf only @noble/hashes (the shared signer); the contract's schema library stays out.
    assert.deepEqual([...bare].filter((name) => name !== '@bufbuild/protobuf' && !name.startsWith('@bufbuild/protobuf/') && !name.startsWith('@noble/hashes/')), []);
    assert.ok(names.includes('protocol/request-signing.js') && names.includes('client/rest-client.js'), 'the signer and the REST client are in the graph');
    // The Node entry, by contrast, does reach node: modules (so the walk can tell).
    assert.ok([...moduleGraph(join(here, 'index.js')).bare].some((name) => name.startsWith('node:')));
  });

  describe('running on web platform APIs', () => {
    const credential = testCredential({ appKey: 'web', appSecret: 'web-s', accessToken: 'web-t' });
    let t: TestServer;
    const hadWebSocket = 'WebSocket' in globalThis;
    before(async () => {
      t = await startTestServer({
        credentials: [credential],
        trades: [
          trade('D05.SG', '2024-06-14T09:00:00+08:00', '35.07', 100_000_000, 'up'),
          trade('D05.SG', '2024-06-14T17:30:00+08:00', '35.10', 100, 'up'), // after the close: moves the feed clock only
        ],
      });
      if (!hadWebSocket) (globalThis as { WebSocket?: unknown }).WebSocket = NodeWebSocket;
    });
    after(async () => {
      if (!hadWebSocket) delete (globalThis as { WebSocket?: unknown }).WebSocket;
      await t.stop();
    });

    it('signs with the shared signer and inflates a gzip answer with DecompressionStream', async () => {
      const { Config, QuoteContext } = await import('./browser.js');
      const ctx = await QuoteContext.new(
        new Config({ appKey: credential.appKey, appSecret: credential.appSecret, accessToken: credential.accessToken, httpUrl: t.httpUrl }),
      );
      try {
        const lines = await ctx.capitalFlow('D05.SG');
        assert.equal(lines.length, 436);
        assert.ok(lines.every((line) => line.inflow.toString() === '3507000000.000')); // 35.07 × 100,000,000 bought at 09:00
        // The answer is larger than the server's 8 KiB gzip threshold, so it travelled compressed.
        const wireSize = toBinary(
          CapitalFlowIntradayResponseSchema,
          create(CapitalFlowIntradayResponseSchema, {
            symbol: 'D05.SG',
            capitalFlowLines: lines.map((line) =>
              create(CapitalFlowIntradayResponse_CapitalFlowLineSchema, { inflow: line.inflow.toString(), timestamp: BigInt(line.timestamp.getTime() / 1000) }),
            ),
          }),
        ).length;
        assert.ok(wireSize > 8 * 1024, `answer of ${wireSize} bytes would not be gzipped`);
      } finally {
        await ctx.close();
      }
    });
  });
});
