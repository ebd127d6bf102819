import type { Credential } from '../server/auth/credential.js';
import { CompositeCredentialRegistry } from '../server/auth/composite-credential-registry.js';
import { ConfigError, loadConfigFile } from '../server/config/config-file.js';
import { isSealedPlain, SECRET_KEY_ENV, secretKeyFromEnv } from '../store/credential-crypto.js';
import type { CredentialStore } from '../store/credential-store.js';
import { SqliteCredentialStore } from '../store/sqlite-credential-store.js';
import { PostgresCredentialStore } from '../store/postgres-credential-store.js';
import { isSharedStoreUrl } from './scale-out-adapters.js';
import { silentLogger, type Logger } from '../logging/logger.js';

/**
 * The credential store `serve` uses: the store's own — PostgreSQL's `credentials` table with
 * `--store postgres://…` (shared by every gateway of the schema), else the embedded one in the
 * data directory.
 */
export async function openServeCredentialStore(storeUrl: string | undefined, dataDir: string): Promise<CredentialStore | undefined> {
  if (isSharedStoreUrl(storeUrl)) return PostgresCredentialStore.open(storeUrl!);
  if (storeUrl !== undefined && storeUrl !== '' && !storeUrl.startsWith('sqlite')) return undefined;
  return SqliteCredentialStore.open(dataDir);
}

export interface ServeCredentials {
  registry: CompositeCredentialRegistry;
  store: CredentialStore | undefined;
  /** True when the store holds at least one credential (then no demo credential is needed). */
  storeHasCredentials: boolean;
}

/**
 * The composite registry of `serve`: config credentials + stored ones. Fails (the caller exits 2)
 * on an app key in both places, a malformed CAPFLOW_SECRET_KEY, or encrypted secrets without it.
 */
export async function openServeCredentials(options: {
  store: CredentialStore | undefined;
  config: () => Credential[];
  logger: Logger;
}): Promise<ServeCredentials> {
  const secretKey = secretKeyFromEnv();
  const records = options.store ? await options.store.list() : [];
  const plain = records.filter((record) => isSealedPlain(record.sealedSecret)).map((record) => record.appKey);
  if (plain.length > 0) {
    options.logger.warn({ appKeys: plain }, `stored app secrets are not encrypted: set ${SECRET_KEY_ENV} and rotate them (see docs/operations.md)`);
  }
  const registry = await CompositeCredentialRegistry.open({ config: options.config(), store: options.store, secretKey, logger: options.logger.child({ module: 'credentials' }) });
  return { registry, store: options.store, storeHasCredentials: records.length > 0 };
}

/** SIGHUP: re-reads the configuration file (a broken file keeps the running credentials) and the store. */
export async function reloadCredentials(
  registry: CompositeCredentialRegistry,
  configFile: string | undefined,
  fallback: () => Credential[],
  logger: Logger,
): Promise<void> {
  if (configFile) {
    try {
      const config = loadConfigFile(configFile);
      registry.reloadConfig(config.credentials.length > 0 ? config.credentials : fallback());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      logger.error({ file: error.file, field: error.field, reason: error.reason }, `reload refused, configuration unchanged: ${error.message}`);
      return;
    }
  }
  await registry.reloadStore();
  logger.info({ credentials: registry.all().length }, 'credentials and limits reloaded');
}

/**
 * Waits for SIGTERM or SIGINT (resolving with its name) and runs `onReload` on every SIGHUP.
 * A second SIGTERM/SIGINT while shutting down exits at once with code 1.
 */
export function waitForStopSignal(onReload: () => Promise<void>, logger: Logger): Promise<string> {
  return new Promise((resolveStop) => {
    const onHup = (): void => {
      logger.info('SIGHUP: reloading credentials and limits');
      onReload().catch((error: unknown) => logger.error({ err: error }, 'reload failed'));
    };
    const stop = (signal: string): void => {
      logger.info({ signal }, `${signal}: shutting down`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      const force = (): void => {
        logger.warn('second signal: exiting without a graceful shutdown');
        process.exit(1);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolveStop(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
  });
}

/** Resolves with `work`'s result, or with undefined once `ms` passed (the rest is abandoned). */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What `serve` has opened so far (store, bus, pools, lock, server…), closed newest first: when a
 * later start-up step fails, and at shutdown. Each close is bounded by what is left of
 * `timeoutMs`; a failing close is reported and the rest still run.
 */
export class OpenedResources {
  private readonly closers: Array<{ name: string; close: () => unknown }> = [];

  add(name: string, close: () => unknown): void {
    this.closers.push({ name, close });
  }

  /** Closes everything in reverse order of opening; true when all closed in time. */
  async closeAll(timeoutMs: number, logger: Logger = silentLogger()): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let inTime = true;
    for (const { name, close } of this.closers.splice(0).reverse()) {
      const closed = await within(
        Math.max(0, deadline - Date.now()),
        Promise.resolve()
          .then(close)
          .then(
            () => true,
            (error: unknown) => {
              logger.error({ err: error, resource: name }, 'closing failed');
              return true;
            },
          ),
      );
      if (!closed) {
        logger.warn({ resource: name }, 'closing did not finish in time');
        inTime = false;
      }
    }
    return inTime;
  }
}