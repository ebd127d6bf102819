import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../server-test-kit.js';
import { NOBLE_PREFIX, PAGE_ENTRY_URL, pageModules } from './page-modules.js';

describe('the web page\'s modules', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('are the page\'s own, the client package\'s REST client and signer, and the signer\'s hash library: no Node module, no other package', async () => {
    const modules = pageModules();
    const paths = [...modules.keys()];
    for (const needed of [PAGE_ENTRY_URL, '/assets/app/client/rest-client.js', '/assets/app/protocol/request-signing.js', '/assets/app/protocol/codes/error-codes.js', `${NOBLE_PREFIX}legacy.js`]) {
      assert.ok(paths.includes(needed), `${needed} is served`);
    }
    // The page loads neither the socket client (protobuf) nor the contract's schema library.
    assert.ok(!paths.some((path) => /quote-context|packet-codec|contract\/(routes|schemas)/.test(path)), paths.join('\n'));
    for (const [path, file] of modules) {
      const response = await fetch(`${t.httpUrl}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
      const text = await response.text();
      assert.doesNotMatch(text, /from\s*['"]node:/, `${file} imports a node: module`);
      for (const match of text.matchAll(/from\s*['"]([^'".][^'"]*)['"]/g)) {
        assert.ok(match[1] === 'lightweight-charts' || match[1]!.startsWith('@noble/hashes/'), `${path} imports ${match[1]}`);
      }
    }
    const page = await (await fetch(`${t.httpUrl}/`)).text();
    assert.ok(page.includes(`src="${PAGE_ENTRY_URL}"`) && page.includes(`"@noble/hashes/":"${NOBLE_PREFIX}"`));
  });
});
