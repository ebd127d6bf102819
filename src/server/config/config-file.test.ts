import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SOCKET_TOKEN_RATE_KEY } from '../auth/credential.js';
import { ConfigError, loadConfigFile, parseConfig } from './config-file.js';

const GOOD = { appKey: 'k1', appSecret: 's1', accessToken: 't1', markets: ['HK'] };

describe('configuration file mistakes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Every mistake names the file, the field and the reason, exactly. */
  const cases: Array<[string, unknown, string]> = [
    ['a non-object root', [], 'f.json: : expected an object, got an array'],
    ['an unknown top-level key', { credentials: [], securites: [] }, 'f.json: securites: unknown key (allowed: credentials, securities, retainTradesDays, tiers, tierDays, streamsPerCredential, maxRequestBodyBytes, maxRequestBodyBytesInFlight, requestBodyTimeoutSeconds, unauthenticatedConnections)'],
    ['credentials not an array', { credentials: {} }, 'f.json: credentials: expected an array, got an object'],
    ['a missing app secret', { credentials: [{ ...GOOD, appSecret: undefined }] }, 'f.json: credentials[0].appSecret: missing required field'],
    ['an empty access token', { credentials: [{ ...GOOD, accessToken: '' }] }, 'f.json: credentials[0].accessToken: must not be empty'],
    ['a number as app key', { credentials: [{ ...GOOD, appKey: 7 }] }, 'f.json: credentials[0].appKey: expected a string, got number 7'],
    ['an unknown market', { credentials: [{ ...GOOD, markets: ['HK', 'JP'] }] }, 'f.json: credentials[0].markets[1]: unknown market "JP" (expected one of HK, US, CN, SG)'],
    ['markets missing', { credentials: [{ ...GOOD, markets: undefined }] }, 'f.json: credentials[0].markets: missing required field'],
    ['zero connections', { credentials: [{ ...GOOD, connections: 0 }] }, 'f.json: credentials[0].connections: must be at least 1, got 0'],
    ['fractional connections', { credentials: [{ ...GOOD, connections: 1.5 }] }, 'f.json: credentials[0].connections: expected a whole number, got number 1.5'],
    ['a bad command code', { credentials: [{ ...GOOD, rateLimits: { x: { limit: 1, burst: 1 } } }] }, 'f.json: credentials[0].rateLimits.x: the key must be a command code (0-255) or "token" (the socket-token endpoints)'],
    ['a zero burst', { credentials: [{ ...GOOD, rateLimits: { 24: { limit: 1, burst: 0 } } }] }, 'f.json: credentials[0].rateLimits.24.burst: must be at least 1, got 0'],
    ['an expiry without offset', { credentials: [{ ...GOOD, expires: '2027-01-01T00:00:00' }] }, 'f.json: credentials[0].expires: expected an ISO 8601 date or instant with offset, got "2027-01-01T00:00:00"'],
    ['ingest not a boolean', { credentials: [{ ...GOOD, ingest: 'yes' }] }, 'f.json: credentials[0].ingest: expected true or false, got the string "yes"'],
    ['a duplicate app key', { credentials: [GOOD, GOOD] }, 'f.json: credentials[1].appKey: duplicate app key "k1"'],
    ['an unknown credential key', { credentials: [{ ...GOOD, secret: 'x' }] }, 'f.json: credentials[0].secret: unknown key (allowed: appKey, appSecret, accessToken, markets, connections, rateLimits, expires, ingest, subscribeLimit, bearer, streams, mcpToken)'],
    ['a bad security', { securities: ['700'] }, 'f.json: securities[0]: not a TICKER.REGION symbol with region HK, US, SH, SZ or SG: "700"'],
    ['retention of zero days', { retainTradesDays: 0 }, 'f.json: retainTradesDays: must be at least 1, got 0'],
    ['an unknown tier convention', { tiers: 'ths' }, 'f.json: tiers: expected one of longport, eastmoney, futu, got "ths"'],
    ['too many percentile days', { tiers: 'futu', tierDays: 251 }, 'f.json: tierDays: at most 250, got 251'],
    ['an empty MCP token', { credentials: [{ ...GOOD, mcpToken: '' }] }, 'f.json: credentials[0].mcpToken: must not be empty'],
    ['an MCP token equal to the access token', { credentials: [{ ...GOOD, mcpToken: 't1' }] }, 'f.json: credentials[0].mcpToken: must differ from the access token (it is a secret of its own, for /mcp only)'],
    ['bearer not a boolean', { credentials: [{ ...GOOD, bearer: 'yes' }] }, 'f.json: credentials[0].bearer: expected true or false, got the string "yes"'],
    ['zero streams', { credentials: [{ ...GOOD, streams: 0 }] }, 'f.json: credentials[0].streams: must be at least 1, got 0'],
    ['zero streams per credential', { streamsPerCredential: 0 }, 'f.json: streamsPerCredential: must be at least 1, got 0'],
    ['a body timeout that is not a number', { requestBodyTimeoutSeconds: '2m' }, 'f.json: requestBodyTimeoutSeconds: expected a whole number, got the string "2m"'],
    ['bodies in flight below one body', { maxRequestBodyBytes: 1000, maxRequestBodyBytesInFlight: 999 }, 'f.json: maxRequestBodyBytesInFlight: must be at least maxRequestBodyBytes (1000), got 999'],
    ['a zero cap on unauthenticated connections', { unauthenticatedConnections: { maxPerAddress: 0 } }, 'f.json: unauthenticatedConnections.maxPerAddress: must be at least 1, got 0'],
    ['an unknown connection cap', { unauthenticatedConnections: { perIp: 4 } }, 'f.json: unauthenticatedConnections.perIp: unknown key (allowed: max, maxPerAddress)'],
  ];
  for (const [name, json, message] of cases) {
    it(`names ${name}`, () => {
      assert.throws(
        () => parseConfig(JSON.parse(JSON.stringify(json)) as unknown, 'f.json'),
        (error: unknown) => error instanceof ConfigError && error.message === message,
      );
    });
  }

  it('names an unreadable file and invalid JSON with the path', () => {
    const missing = join(dir, 'missing.json');
    assert.throws(() => loadConfigFile(missing), (error: unknown) => error instanceof ConfigError && error.field === '(file)' && error.message.startsWith(`${missing}: (file): cannot read:`));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"credentials": [');
    assert.throws(() => loadConfigFile(broken), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${broken}: (file): not valid JSON:`));
  });

  it('accepts OAuth bearer mode, stream limits, the token endpoints’ rate limit and the HTTP body limits', () => {
    const config = parseConfig(
      {
        credentials: [{ ...GOOD, bearer: true, streams: 3, rateLimits: { token: { limit: 2, burst: 4 }, 200: { limit: 5, burst: 5 } } }, { ...GOOD, appKey: 'k2' }],
        streamsPerCredential: 20,
        maxRequestBodyBytes: 1_048_576,
        maxRequestBodyBytesInFlight: 8_388_608,
        requestBodyTimeoutSeconds: 30,
      },
      'f.json',
    );
    const [oauth, plain] = config.credentials;
    assert.deepEqual([oauth?.bearer, oauth?.streams, plain?.bearer, plain?.streams], [true, 3, undefined, undefined]);
    assert.deepEqual(oauth?.rateLimits.get(SOCKET_TOKEN_RATE_KEY), { limit: 2, burst: 4 });
    assert.deepEqual(oauth?.rateLimits.get(200), { limit: 5, burst: 5 });
    assert.deepEqual(
      [config.streamsPerCredential, config.maxRequestBodyBytes, config.maxRequestBodyBytesInFlight, config.requestBodyTimeoutSeconds],
      [20, 1_048_576, 8_388_608, 30],
    );
  });

  it('accepts retention days', () => {
    assert.equal(parseConfig({ retainTradesDays: 30 }, 'f.json').retainTradesDays, 30);
    assert.equal(parseConfig({}, 'f.json').retainTradesDays, undefined);
  });

  it('accepts caps on unauthenticated socket connections', () => {
    assert.deepEqual(parseConfig({ unauthenticatedConnections: { max: 4096, maxPerAddress: 256 } }, 'f.json').unauthenticatedConnections, {
      maxUnauthenticated: 4096,
      maxUnauthenticatedPerAddress: 256,
    });
    assert.equal(parseConfig({}, 'f.json').unauthenticatedConnections, undefined);
  });

  it('accepts a size-tier convention with its percentile days', () => {
    assert.deepEqual(parseConfig({ tiers: 'futu', tierDays: 60 }, 'f.json').tiers, { name: 'futu', days: 60 });
    assert.deepEqual(parseConfig({ tiers: 'eastmoney' }, 'f.json').tiers, { name: 'eastmoney', days: 20 });
    assert.equal(parseConfig({}, 'f.json').tiers, undefined);
  });
});
