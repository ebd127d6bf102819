import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { isMarket, MARKETS, type Market } from '../model/market.js';
import { rateLimitKeyOf } from '../server/auth/credential.js';
import { credentialStatus, issueCredential, parseExpiry, revokeCredential, rotateCredential, type IssuedCredential } from '../server/auth/managed-credentials.js';
import { isSealedPlain, SECRET_KEY_ENV, secretKeyFromEnv } from '../store/credential-crypto.js';
import { DuplicateAppKeyError, type CredentialStore } from '../store/credential-store.js';
import { SqliteCredentialStore } from '../store/sqlite-credential-store.js';
import { holdDataDir, type DataDirLock } from '../store/data-dir-lock.js';
import { PostgresCredentialStore } from '../store/postgres-credential-store.js';
import { isSharedStoreUrl } from './scale-out-adapters.js';
import { commandHelp, HELP_OPTION, type CommandSpec } from './command-spec.js';
import type { CliIo } from './main.js';

const OPTIONS = {
  data: { type: 'string', value: 'DIR', description: 'data directory of the embedded store' },
  store: { type: 'string', value: 'postgres://…', description: "instead of --data: a fleet's PostgreSQL store (?schema=NAME for its schema)" },
  markets: { type: 'string', value: 'HK,US,CN,SG', description: 'add: the markets the credential may read' },
  connections: { type: 'string', value: 'N', description: 'add: how many sockets it may hold open at once (default 10)' },
  expires: { type: 'string', value: '90d|ISO', description: 'add, rotate: when it expires, as a duration (90d, 12h, 30m, 45s) or an ISO date or instant' },
  ingest: { type: 'boolean', default: false, description: 'add: it may post trades to /v1/ingest' },
  bearer: { type: 'boolean', default: false, description: 'add: it may also authenticate with Authorization: Bearer (OAuth-style SDK configs, no signature)' },
  'mcp-token': { type: 'boolean', default: false, description: 'add, rotate: also issue an MCP token (Authorization: Bearer for /mcp only, printed once); a rotation renews an existing one by itself' },
  streams: { type: 'string', value: 'N', description: 'add: how many live streams (SSE) it may hold open at once (default 10)' },
  'app-key': { type: 'string', value: 'KEY', description: 'add: the app key to use instead of a generated one' },
  'rate-limit': { type: 'string', multiple: true, value: 'CMD|token=LIMIT/BURST', description: 'add: a rate limit per second for a command (e.g. 24=10/20) or for the token endpoint' },
  json: { type: 'boolean', default: false, description: 'list: as JSON' },
  help: HELP_OPTION,
} as const;

export const CREDENTIALS_COMMAND: CommandSpec = {
  name: 'credentials',
  summary: 'add, list, rotate and revoke stored credentials (a new secret and token are printed once)',
  usage: [
    'add (--data DIR | --store postgres://…) --markets HK,US[,CN,SG] [--connections N] [--expires 90d|ISO] [--ingest] [--bearer] [--streams N] [--app-key KEY] [--rate-limit CMD=LIMIT/BURST]...',
    'list (--data DIR | --store postgres://…) [--json]',
    'rotate APP_KEY (--data DIR | --store postgres://…) [--expires 90d|ISO]',
    'revoke APP_KEY (--data DIR | --store postgres://…)',
  ],
  description:
    'Secrets are stored sealed and tokens hashed. Rotating or revoking ends everything derived from the old token at once: one-time passwords, socket sessions and stream tokens. Send a running server SIGHUP to load the change.',
  options: OPTIONS,
};
export const CREDENTIALS_USAGE = commandHelp(CREDENTIALS_COMMAND);

/** A usage mistake: exit code 2 with the message. */
class UsageError extends Error {}

/** Opens the credential store the flags point at: PostgreSQL with `--store postgres://…`, else the embedded store of `--data`. */
export async function openCredentialStore(values: { data?: string | undefined; store?: string | undefined }): Promise<CredentialStore> {
  if (values.store !== undefined && values.store !== '' && values.store !== 'sqlite') {
    if (!isSharedStoreUrl(values.store)) throw new UsageError(`--store must be postgres://… (or omitted for the embedded store of --data), got ${JSON.stringify(values.store)}`);
    if (values.data) throw new UsageError('give --data or --store, not both');
    return PostgresCredentialStore.open(values.store);
  }
  if (!values.data) throw new UsageError('--data DIR (or --store postgres://…) is required');
  return SqliteCredentialStore.open(values.data);
}

function parseMarkets(text: string | undefined): Market[] {
  if (!text) throw new UsageError(`--markets is required (comma-separated: ${MARKETS.join(', ')})`);
  const markets = text.split(',').map((part) => part.trim().toUpperCase()).filter(Boolean);
  for (const market of markets) if (!isMarket(market)) throw new UsageError(`--markets: unknown market ${JSON.stringify(market)} (expected ${MARKETS.join(', ')})`);
  if (markets.length === 0) throw new UsageError('--markets must name at least one market');
  return [...new Set(markets)] as Market[];
}

function parseRateLimits(specs: readonly string[] | undefined): Record<string, { limit: number; burst: number }> {
  const limits: Record<string, { limit: number; burst: number }> = {};
  for (const spec of specs ?? []) {
    const match = /^(\w{1,5})=(\d{1,6})\/(\d{1,6})$/.exec(spec);
    const key = match ? rateLimitKeyOf(match[1]!) : undefined;
    if (!match || key === undefined || Number(match[2]) < 1 || Number(match[3]) < 1) {
      throw new UsageError(
        `--rate-limit ${JSON.stringify(spec)}: expected CMD=LIMIT/BURST with a command code 0-255 or "token" (the socket-token endpoints), e.g. 24=10/20 (limit and burst at least 1)`,
      );
    }
    limits[String(key)] = { limit: Number(match[2]), burst: Number(match[3]) };
  }
  return limits;
}

function expiryFrom(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const at = parseExpiry(text, now);
  if (at === undefined) throw new UsageError(`--expires: expected a duration (90d, 12h, 30m, 45s) or an ISO date / instant with offset, got ${JSON.stringify(text)}`);
  if (at <= now) throw new UsageError('--expires must lie in the future');
  return at;
}

function printIssued(io: CliIo, issued: IssuedCredential, plain: boolean): void {
  io.stdout.write(
    [
      `app key:      ${issued.appKey}`,
      `app secret:   ${issued.appSecret}`,
      `access token: ${issued.accessToken}`,
      '',
      'These are shown only now (the store keeps the token as a hash). For the official SDK:',
      `  export LONGPORT_APP_KEY=${issued.appKey}`,
      `  export LONGPORT_APP_SECRET=${issued.appSecret}`,
      `  export LONGPORT_ACCESS_TOKEN=${issued.accessToken}`,
      '',
      ...(issued.mcpToken === undefined ? [] : [`mcp token:    ${issued.mcpToken}`, '  for /mcp only: Authorization: Bearer <mcp token>', '']),
    ].join('\n'),
  );
  if (plain) io.stderr.write(`warning: ${SECRET_KEY_ENV} is not set: the app secret is stored unencrypted (see docs/operations.md)\n`);
}

export async function runCredentialsCommand(argv: string[], io: CliIo, now: () => number = Date.now): Promise<number> {
  const [action, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    io.stderr.write(`capflow credentials: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || action === undefined || action === 'help' || action === '--help' || action === '-h') {
    io.stdout.write(CREDENTIALS_USAGE);
    return action === undefined ? 2 : 0;
  }
  let store: CredentialStore | undefined;
  let lock: DataDirLock | undefined;
  try {
    const key = secretKeyFromEnv();
    const needsAppKey = action === 'rotate' || action === 'revoke';
    if (!['add', 'list', 'rotate', 'revoke'].includes(action)) throw new UsageError(`unknown action ${JSON.stringify(action)}\n${CREDENTIALS_USAGE}`);
    if (needsAppKey && positionals.length !== 1) throw new UsageError(`${action} takes exactly one APP_KEY`);
    if (!needsAppKey && positionals.length > 0) throw new UsageError(`${action} takes no positional arguments`);
    const markets = action === 'add' ? parseMarkets(values.markets) : undefined;
    const rateLimits = parseRateLimits(values['rate-limit']);
    let connections: number | undefined;
    if (values.connections !== undefined) {
      if (!/^\d{1,6}$/.test(values.connections) || Number(values.connections) < 1) throw new UsageError('--connections must be a whole number of at least 1');
      connections = Number(values.connections);
    }
    let streams: number | undefined;
    if (values.streams !== undefined) {
      if (!/^\d{1,6}$/.test(values.streams) || Number(values.streams) < 1) throw new UsageError('--streams must be a whole number of at least 1');
      streams = Number(values.streams);
    }
    const expiresAt = expiryFrom(values.expires, now());
    // The embedded store's directory is in use while we write it: a restore waits for us, and we for it.
    if (values.data && (values.store === undefined || values.store === '' || values.store === 'sqlite')) lock = holdDataDir(resolve(values.data));
    store = await openCredentialStore(values);
    switch (action) {
      case 'add': {
        const issued = issueCredential(
          {
            ...(values['app-key'] === undefined ? {} : { appKey: values['app-key'] }),
            markets: markets!,
            ...(connections === undefined ? {} : { connections }),
            expiresAt,
            ingest: values.ingest,
            bearer: values.bearer,
            ...(streams === undefined ? {} : { streams }),
            mcpToken: values['mcp-token'],
            rateLimits,
          },
          key,
          now(),
        );
        await store.insert(issued.record);
        printIssued(io, issued, key === undefined);
        return 0;
      }
      case 'list': {
        const records = await store.list();
        const rows = records.map((record) => ({
          appKey: record.appKey,
          status: credentialStatus(record, now()),
          markets: record.markets,
          connections: record.connections,
          ingest: record.ingest,
          bearer: record.bearer === true,
          streams: record.streams ?? null,
          mcpToken: (record.mcpTokenSha256 ?? null) !== null,
          expires: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
          revoked: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
          created: new Date(record.createdAt).toISOString(),
          updated: new Date(record.updatedAt).toISOString(),
          secretEncrypted: !isSealedPlain(record.sealedSecret),
        }));
        if (values.json) {
          io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return 0;
        }
        if (rows.length === 0) {
          io.stdout.write('no credentials in the store\n');
          return 0;
        }
        io.stdout.write('APP KEY                    STATUS   MARKETS      CONN  INGEST  EXPIRES                   BEARER  SECRET\n');
        for (const row of rows) {
          io.stdout.write(
            `${row.appKey.padEnd(26)} ${row.status.padEnd(8)} ${row.markets.join(',').padEnd(12)} ${String(row.connections).padEnd(5)} ` +
              `${(row.ingest ? 'yes' : 'no').padEnd(7)} ${(row.expires ?? 'never').padEnd(25)} ${(row.bearer ? 'yes' : 'no').padEnd(7)} ${row.secretEncrypted ? 'encrypted' : 'PLAIN'}\n`,
          );
        }
        return 0;
      }
      case 'rotate':
      case 'revoke': {
        const appKey = positionals[0]!;
        const record = (await store.list()).find((candidate) => candidate.appKey === appKey);
        if (!record) throw new UsageError(`no credential ${JSON.stringify(appKey)} in the store`);
        if (action === 'revoke') {
          if (record.revokedAt !== null) {
            io.stdout.write(`${appKey} was already revoked on ${new Date(record.revokedAt).toISOString()}\n`);
            return 0;
          }
          await store.replace(revokeCredential(record, now()));
          io.stdout.write(`revoked ${appKey}; running servers close its connections within about a second\n`);
          return 0;
        }
        if (record.revokedAt !== null) throw new UsageError(`${appKey} is revoked; add a new credential instead`);
        const issued = rotateCredential(record, key, now(), expiresAt ?? record.expiresAt, values['mcp-token']);
        await store.replace(issued.record);
        printIssued(io, issued, key === undefined);
        io.stdout.write(`the previous secret and token${issued.mcpToken === undefined ? '' : 's'} no longer work\n`);
        return 0;
      }
    }
    return 2;
  } catch (error) {
    if (error instanceof UsageError || error instanceof DuplicateAppKeyError) {
      io.stderr.write(`capflow credentials: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`capflow credentials: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
    lock?.release();
  }
}
