import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDate } from '../calendar/time-zone.js';
import { MARKETS, type Market } from '../model/market.js';
import { parseDecimal } from '../model/decimal.js';
import { parseSymbol } from '../model/symbol.js';
import { parseDirection, type Trade } from '../model/trade.js';
import { FlowService } from '../service/flow-service.js';
import { MarketClock, type ClockMode } from '../service/market-clock.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';
import { signatureHeader } from './auth/request-signature.js';
import type { Credential, CredentialRegistry, RateLimitRule } from './auth/credential.js';
import { startCapflowServer, type CapflowServerOptions, type RunningServer } from './capflow-server.js';

/** A credential for tests (every market unless narrowed). */
export function testCredential(overrides: Partial<Omit<Credential, 'markets' | 'rateLimits'>> & {
  markets?: Market[];
  rateLimits?: Record<number, RateLimitRule>;
} = {}): Credential {
  return {
    appKey: overrides.appKey ?? 'test-key',
    appSecret: overrides.appSecret ?? 'test-secret',
    accessToken: overrides.accessToken ?? 'test-token',
    markets: new Set(overrides.markets ?? MARKETS),
    connections: overrides.connections ?? 10,
    rateLimits: new Map(Object.entries(overrides.rateLimits ?? {}).map(([cmd, rule]) => [Number(cmd), rule])),
    expiresAt: overrides.expiresAt,
    ingest: overrides.ingest ?? true,
    ...(overrides.subscribeLimit === undefined ? {} : { subscribeLimit: overrides.subscribeLimit }),
    ...(overrides.bearer === undefined ? {} : { bearer: overrides.bearer }),
    ...(overrides.streams === undefined ? {} : { streams: overrides.streams }),
  };
}

/** A trade from compact text fields, e.g. `trade('700.HK', '2024-06-14T09:30:05+08:00', '320.2', 100, 'up')`. */
export function trade(
  symbol: string,
  timestamp: string,
  price: string,
  volume: number,
  direction = '',
  extra: { tradeId?: string; bid?: string; ask?: string } = {},
): Trade {
  const parsedDirection = parseDirection(direction);
  if (parsedDirection === 'invalid') throw new Error(`bad direction ${direction}`);
  return {
    symbol: parseSymbol(symbol)!.symbol,
    timestamp: Date.parse(timestamp),
    price: parseDecimal(price)!,
    volume,
    direction: parsedDirection,
    tradeId: extra.tradeId,
    bid: extra.bid === undefined ? undefined : parseDecimal(extra.bid),
    ask: extra.ask === undefined ? undefined : parseDecimal(extra.ask),
  };
}

/** Stores trades with their trading day (the market-local date of each timestamp). */
export async function storeTrades(store: FlowStore, trades: readonly Trade[]): Promise<void> {
  await store.appendTrades(trades.map((t) => ({ trade: t, date: localDate(parseSymbol(t.symbol)!.market, t.timestamp) })));
}

export interface TestServer {
  server: RunningServer;
  store: FlowStore;
  flows: FlowService;
  clock: MarketClock;
  httpUrl: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Starts a real server on free loopback ports over a fresh data directory. */
export async function startTestServer(
  options: {
    credentials?: Credential[] | CredentialRegistry;
    securities?: string[];
    trades?: readonly Trade[];
    clock?: ClockMode;
    server?: Partial<CapflowServerOptions>;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capflow-test-'));
  const store = await SqliteFlowStore.open(dataDir);
  if (options.trades) await storeTrades(store, options.trades);
  const clock = new MarketClock(options.clock ?? { kind: 'feed' });
  const flows = await FlowService.open({ store, clock, securities: options.securities ?? [], pollIntervalMs: 20 });
  const server = await startCapflowServer({
    store,
    flows,
    clock,
    credentials: options.credentials ?? [testCredential()],
    port: 0,
    tcpPort: 0,
    ...options.server,
  });
  return {
    server,
    store,
    flows,
    clock,
    httpUrl: `http://127.0.0.1:${server.httpPort}`,
    wsUrl: `ws://127.0.0.1:${server.httpPort}/v2`,
    stop: async () => {
      await server.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headers of a request signed as the official SDK signs it. */
export function signedHeaders(
  credential: Pick<Credential, 'appKey' | 'appSecret' | 'accessToken'>,
  method: string,
  path: string,
  query = '',
  body?: Uint8Array,
  timestamp = (Date.now() / 1000).toFixed(3),
): Record<string, string> {
  return {
    'X-Api-Key': credential.appKey,
    Authorization: credential.accessToken,
    'X-Timestamp': timestamp,
    'X-Api-Signature': signatureHeader(
      { method, path, query, appKey: credential.appKey, accessToken: credential.accessToken, timestamp, body },
      credential.appSecret,
    ),
  };
}

/** Fetches a one-time password from the token endpoint. */
export async function fetchOtp(baseUrl: string, credential: Credential): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/socket/token`, { headers: signedHeaders(credential, 'GET', '/v1/socket/token') });
  const json = (await response.json()) as { code: number; data: { otp: string } };
  if (json.code !== 0) throw new Error(`token endpoint answered ${JSON.stringify(json)}`);
  return json.data.otp;
}

/**
 * Requests built exactly as the Go SDKs build them (read from `longportapp/openapi-go` v0.16
 * and `longbridge/openapi-go` v0.27: http/client.go, http/signature.go, internal/signer), with
 * the signature computed here independently of the server's code.
 */
export function goSdkHeaders(
  credential: { appKey: string; appSecret: string; accessToken: string },
  method: string,
  path: string,
  options: { timestampMs?: string; bearer?: boolean; body?: Uint8Array } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    'accept-language': 'en',
    'x-api-key': credential.appKey,
    authorization: options.bearer ? `Bearer ${credential.accessToken}` : credential.accessToken,
    'x-dc-region': 'ap',
  };
  if (options.bearer) return headers; // OAuth mode: neither X-Timestamp nor a signature
  const timestamp = options.timestampMs ?? String(Date.now()); // time.Now().UnixMilli()
  headers['x-timestamp'] = timestamp;
  const sha1 = (data: string | Uint8Array): string => createHash('sha1').update(data).digest('hex');
  let plain = `${method}|${path}||authorization:${headers.authorization}\nx-api-key:${credential.appKey}\nx-timestamp:${timestamp}\n|authorization;x-api-key;x-timestamp|`;
  if (options.body && options.body.length > 0) plain += sha1(options.body);
  const signature = createHmac('sha256', credential.appSecret).update(`HMAC-SHA256|${sha1(plain)}`).digest('hex');
  headers['x-api-signature'] = `HMAC-SHA256 SignedHeaders=authorization;x-api-key;x-timestamp, Signature=${signature}`;
  return headers;
}
