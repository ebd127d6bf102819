import { readFileSync } from 'node:fs';
import { DEFAULT_PERCENTILE_DAYS, isTierConventionName, MAX_PERCENTILE_DAYS, TIER_CONVENTIONS, type TierChoice } from '../../service/tier-flows.js';
import { isMarket, MARKETS, type Market } from '../../model/market.js';
import { parseSymbol } from '../../model/symbol.js';
import { sha256Hex } from '../../store/credential-crypto.js';
import { securityOf, type SecurityInfo } from '../../service/rankings/securities-file.js';
import { DEFAULT_CONNECTIONS, rateLimitKeyOf, type Credential, type RateLimitRule } from '../auth/credential.js';
import type { AdmissionLimits } from '../socket/transport/connection-admission.js';

/** A configuration mistake, always naming the file, the field and the reason. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}: ${field}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export interface CapflowConfig {
  readonly credentials: Credential[];
  /** Symbols known before any trade arrives (normalised). */
  readonly securities: string[];
  /** Names and sectors of the `securities` given as objects (`{symbol, name, sector, currency, lot_size}`). */
  readonly securityInfo: SecurityInfo[];
  /** Raw trades kept this many days (older days keep lines and summaries); undefined = forever. */
  readonly retainTradesDays?: number;
  /** Size-tier convention of command 25 and the REST default (`tiers`, `tierDays` for futu). */
  readonly tiers?: TierChoice;
  /** Live SSE streams per credential unless the credential sets `streams` (`streamsPerCredential`; default 10). */
  readonly streamsPerCredential?: number;
  /** Largest HTTP request body in bytes (`maxRequestBodyBytes`; default 64 MiB). */
  readonly maxRequestBodyBytes?: number;
  /** HTTP request bodies held at once across all requests (`maxRequestBodyBytesInFlight`; default 256 MiB). */
  readonly maxRequestBodyBytesInFlight?: number;
  /** Seconds an authenticated request has to deliver its body (`requestBodyTimeoutSeconds`; default 120). */
  readonly requestBodyTimeoutSeconds?: number;
  /** Caps on socket connections not yet authenticated (`unauthenticatedConnections: {max, maxPerAddress}`). */
  readonly unauthenticatedConnections?: AdmissionLimits;
}

const TOP_LEVEL_KEYS = new Set([
  'credentials',
  'securities',
  'retainTradesDays',
  'tiers',
  'tierDays',
  'streamsPerCredential',
  'maxRequestBodyBytes',
  'maxRequestBodyBytesInFlight',
  'requestBodyTimeoutSeconds',
  'unauthenticatedConnections',
]);
const UNAUTHENTICATED_KEYS = new Set(['max', 'maxPerAddress']);
const CREDENTIAL_KEYS = new Set([
  'appKey',
  'appSecret',
  'accessToken',
  'markets',
  'connections',
  'rateLimits',
  'expires',
  'ingest',
  'subscribeLimit',
  'bearer',
  'streams',
  'mcpToken',
]);
const RATE_LIMIT_KEYS = new Set(['limit', 'burst']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Validator {
  constructor(private readonly file: string) {}

  fail(field: string, reason: string): never {
    throw new ConfigError(this.file, field, reason);
  }

  object(value: unknown, field: string, allowed: Set<string>): Record<string, unknown> {
    if (!isPlainObject(value)) this.fail(field, `expected an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.has(key)) this.fail(field === '' ? key : `${field}.${key}`, `unknown key (allowed: ${[...allowed].join(', ')})`);
    }
    return value;
  }

  string(value: unknown, field: string): string {
    if (value === undefined) this.fail(field, 'missing required field');
    if (typeof value !== 'string') this.fail(field, `expected a string, got ${describe(value)}`);
    if (value.length === 0) this.fail(field, 'must not be empty');
    return value;
  }

  positiveInteger(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(field, `expected a whole number, got ${describe(value)}`);
    if (value < 1) this.fail(field, `must be at least 1, got ${value}`);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Validates the parsed JSON of a configuration file (docs/configuration.md). */
export function parseConfig(json: unknown, file: string): CapflowConfig {
  const v: Validator = new Validator(file);
  const root = v.object(json, '', TOP_LEVEL_KEYS);
  const credentials: Credential[] = [];
  const seenKeys = new Set<string>();
  if (root.credentials !== undefined) {
    if (!Array.isArray(root.credentials)) v.fail('credentials', `expected an array, got ${describe(root.credentials)}`);
    root.credentials.forEach((entry, index) => {
      const field = `credentials[${index}]`;
      const credential = parseCredential(v, entry, field);
      if (seenKeys.has(credential.appKey)) v.fail(`${field}.appKey`, `duplicate app key ${JSON.stringify(credential.appKey)}`);
      seenKeys.add(credential.appKey);
      credentials.push(credential);
    });
  }
  const securities: string[] = [];
  const securityInfo: SecurityInfo[] = [];
  if (root.securities !== undefined) {
    if (!Array.isArray(root.securities)) v.fail('securities', `expected an array, got ${describe(root.securities)}`);
    root.securities.forEach((entry, index) => {
      if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
        const info = securityFromConfig(v, entry as Record<string, unknown>, `securities[${index}]`);
        securityInfo.push(info);
        securities.push(info.symbol);
        return;
      }
      const text = v.string(entry, `securities[${index}]`);
      const parsed = parseSymbol(text);
      if (!parsed) v.fail(`securities[${index}]`, `not a TICKER.REGION symbol with region HK, US, SH, SZ or SG: ${JSON.stringify(text)}`);
      securities.push(parsed.symbol);
    });
  }
  const retainTradesDays = root.retainTradesDays === undefined ? undefined : v.positiveInteger(root.retainTradesDays, 'retainTradesDays');
  let tiers: TierChoice | undefined;
  if (root.tiers !== undefined || root.tierDays !== undefined) {
    const name = root.tiers === undefined ? 'longport' : v.string(root.tiers, 'tiers');
    if (!isTierConventionName(name)) v.fail('tiers', `expected one of ${TIER_CONVENTIONS.join(', ')}, got ${JSON.stringify(name)}`);
    const days = root.tierDays === undefined ? DEFAULT_PERCENTILE_DAYS : v.positiveInteger(root.tierDays, 'tierDays');
    if (days > MAX_PERCENTILE_DAYS) v.fail('tierDays', `at most ${MAX_PERCENTILE_DAYS}, got ${days}`);
    tiers = { name, days };
  }
  let unauthenticatedConnections: AdmissionLimits | undefined;
  if (root.unauthenticatedConnections !== undefined) {
    const caps = v.object(root.unauthenticatedConnections, 'unauthenticatedConnections', UNAUTHENTICATED_KEYS);
    unauthenticatedConnections = {
      ...(caps.max === undefined ? {} : { maxUnauthenticated: v.positiveInteger(caps.max, 'unauthenticatedConnections.max') }),
      ...(caps.maxPerAddress === undefined ? {} : { maxUnauthenticatedPerAddress: v.positiveInteger(caps.maxPerAddress, 'unauthenticatedConnections.maxPerAddress') }),
    };
  }
  const optional = (key: string): Record<string, number> =>
    root[key] === undefined ? {} : { [key]: v.positiveInteger(root[key], key) };
  const limits = {
    ...optional('streamsPerCredential'),
    ...optional('maxRequestBodyBytes'),
    ...optional('maxRequestBodyBytesInFlight'),
    ...optional('requestBodyTimeoutSeconds'),
  };
  if (limits.maxRequestBodyBytes !== undefined && limits.maxRequestBodyBytesInFlight !== undefined && limits.maxRequestBodyBytesInFlight < limits.maxRequestBodyBytes) {
    v.fail('maxRequestBodyBytesInFlight', `must be at least maxRequestBodyBytes (${limits.maxRequestBodyBytes}), got ${limits.maxRequestBodyBytesInFlight}`);
  }
  return {
    credentials,
    securities,
    securityInfo,
    ...(retainTradesDays === undefined ? {} : { retainTradesDays }),
    ...(tiers === undefined ? {} : { tiers }),
    ...(unauthenticatedConnections === undefined ? {} : { unauthenticatedConnections }),
    ...limits,
  };
}

const SECURITY_KEYS = new Set(['symbol', 'name', 'sector', 'currency', 'lot_size', 'lotSize']);

/** A security given as an object: `{symbol, name?, sector?, currency?, lot_size?}`. */
function securityFromConfig(v: Validator, value: Record<string, unknown>, field: string): SecurityInfo {
  const entry = v.object(value, field, SECURITY_KEYS);
  const text = (key: string): string | undefined => (entry[key] === undefined ? undefined : v.string(entry[key], `${field}.${key}`));
  const lot = entry['lot_size'] ?? entry['lotSize'];
  try {
    return securityOf({
      symbol: v.string(entry['symbol'], `${field}.symbol`),
      name: text('name'),
      sector: text('sector'),
      currency: text('currency'),
      lotSize: lot === undefined ? undefined : typeof lot === 'number' ? lot : v.string(lot, `${field}.lot_size`),
    });
  } catch (error) {
    return v.fail(field, (error as Error).message);
  }
}

function parseCredential(v: Validator, value: unknown, field: string): Credential {
  const entry = v.object(value, field, CREDENTIAL_KEYS);
  const appKey = v.string(entry.appKey, `${field}.appKey`);
  const appSecret = v.string(entry.appSecret, `${field}.appSecret`);
  const accessToken = v.string(entry.accessToken, `${field}.accessToken`);
  if (entry.markets === undefined) v.fail(`${field}.markets`, 'missing required field');
  if (!Array.isArray(entry.markets)) v.fail(`${field}.markets`, `expected an array, got ${describe(entry.markets)}`);
  const markets = new Set<Market>();
  entry.markets.forEach((market, index) => {
    const code = v.string(market, `${field}.markets[${index}]`);
    if (!isMarket(code)) v.fail(`${field}.markets[${index}]`, `unknown market ${JSON.stringify(code)} (expected one of ${MARKETS.join(', ')})`);
    markets.add(code);
  });
  const connections = entry.connections === undefined ? DEFAULT_CONNECTIONS : v.positiveInteger(entry.connections, `${field}.connections`);
  const rateLimits = new Map<number, RateLimitRule>();
  if (entry.rateLimits !== undefined) {
    if (!isPlainObject(entry.rateLimits)) v.fail(`${field}.rateLimits`, `expected an object keyed by command code, got ${describe(entry.rateLimits)}`);
    for (const [command, rule] of Object.entries(entry.rateLimits)) {
      const ruleField = `${field}.rateLimits.${command}`;
      const key = rateLimitKeyOf(command);
      if (key === undefined) v.fail(ruleField, 'the key must be a command code (0-255) or "token" (the socket-token endpoints)');
      const body = v.object(rule, ruleField, RATE_LIMIT_KEYS);
      rateLimits.set(key, {
        limit: v.positiveInteger(body.limit, `${ruleField}.limit`),
        burst: v.positiveInteger(body.burst, `${ruleField}.burst`),
      });
    }
  }
  let expiresAt: number | undefined;
  if (entry.expires !== undefined) {
    const text = v.string(entry.expires, `${field}.expires`);
    expiresAt = /^\d{4}-\d{2}-\d{2}(T.*(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(expiresAt)) v.fail(`${field}.expires`, `expected an ISO 8601 date or instant with offset, got ${JSON.stringify(text)}`);
  }
  let ingest = true;
  if (entry.ingest !== undefined) {
    if (typeof entry.ingest !== 'boolean') v.fail(`${field}.ingest`, `expected true or false, got ${describe(entry.ingest)}`);
    ingest = entry.ingest;
  }
  const subscribeLimit =
    entry.subscribeLimit === undefined ? undefined : v.positiveInteger(entry.subscribeLimit, `${field}.subscribeLimit`);
  let bearer = false;
  if (entry.bearer !== undefined) {
    if (typeof entry.bearer !== 'boolean') v.fail(`${field}.bearer`, `expected true or false, got ${describe(entry.bearer)}`);
    bearer = entry.bearer;
  }
  const streams = entry.streams === undefined ? undefined : v.positiveInteger(entry.streams, `${field}.streams`);
  // The MCP token opens /mcp only; kept in memory as its hash, like stored access tokens.
  const mcpToken = entry.mcpToken === undefined ? undefined : v.string(entry.mcpToken, `${field}.mcpToken`);
  if (mcpToken !== undefined && mcpToken === accessToken) v.fail(`${field}.mcpToken`, 'must differ from the access token (it is a secret of its own, for /mcp only)');
  return {
    appKey,
    appSecret,
    accessToken,
    markets,
    connections,
    rateLimits,
    expiresAt,
    ingest,
    ...(subscribeLimit === undefined ? {} : { subscribeLimit }),
    ...(bearer ? { bearer } : {}),
    ...(streams === undefined ? {} : { streams }),
    ...(mcpToken === undefined ? {} : { mcpTokenSha256: sha256Hex(mcpToken) }),
  };
}

/** Reads and validates a configuration file; every mistake is a ConfigError. */
export function loadConfigFile(path: string): CapflowConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, '(file)', `cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, '(file)', `not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, path);
}
