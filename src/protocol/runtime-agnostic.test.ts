import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

// The codec must run in a browser: only node-gzip-codec may touch node: modules.
const here = dirname(fileURLToPath(import.meta.url));
const NODE_ONLY = new Set(['node-gzip-codec.js']);

describe('protocol layer', () => {
  it('imports no node: module outside node-gzip-codec, and nothing imports node-gzip-codec', () => {
    const sources = readdirSync(here).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js') && !NODE_ONLY.has(f));
    assert.ok(sources.includes('packet-codec.js') && sources.includes('stream-framer.js'));
    for (const file of sources) {
      const text = readFileSync(join(here, file), 'utf8');
      assert.doesNotMatch(text, /from ['"]node:/, `${file} imports a node: module`);
      assert.doesNotMatch(text, /from ['"][^'"]*node-gzip-codec/, `${file} pulls in node-gzip-codec`);
    }
  });
});
