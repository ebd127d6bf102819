import type { CredentialStore } from '../../store/credential-store.js';
import { credentialGeneration, usableAt, type Credential, type CredentialRegistry } from './credential.js';
import { credentialFromRecord } from './managed-credentials.js';
import { silentLogger, type Logger } from '../../logging/logger.js';

/** Why live connections of a credential were ended. */
export type InvalidationReason = 'revoked' | 'expired' | 'rotated' | 'removed';

export interface CompositeCredentialRegistryOptions {
  /** Credentials of the configuration file (or the demo credential). */
  config: readonly Credential[];
  /** Credentials managed by `capflow credentials …`, when a store is used. */
  store?: CredentialStore | undefined;
  /** Key opening the stored app secrets (CAPFLOW_SECRET_KEY). */
  secretKey?: Buffer | undefined;
  /** How often the store's revision and the credentials' expiries are checked (default 1 s). */
  pollIntervalMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** An app key both in the configuration file and in the store: `serve` refuses to start. */
export class CredentialConflictError extends Error {
  constructor(readonly appKeys: readonly string[]) {
    super(
      `app key${appKeys.length > 1 ? 's' : ''} ${appKeys.map((key) => JSON.stringify(key)).join(', ')} ` +
        'present both in the configuration file and in the store (`capflow credentials list`); remove one of them',
    );
    this.name = 'CredentialConflictError';
  }
}

/**
 * The server's credentials: those of the configuration file plus those of the store, kept
 * current without a restart. `reloadConfig` (SIGHUP) swaps the file's credentials; a poller
 * re-reads the store when its revision moves (so `capflow credentials revoke` in another process
 * takes effect within about a second) and watches expiries on the wall clock. Whenever a
 * credential stops being usable — revoked, expired, rotated or removed — the listeners hear of it
 * so its live connections can be closed.
 */
export class CompositeCredentialRegistry implements CredentialRegistry {
  private configCredentials = new Map<string, Credential>();
  private storeCredentials = new Map<string, Credential>();
  private merged = new Map<string, Credential>();
  /** Stored app keys that are revoked (their Credential carries the revocation as expiry). */
  private revoked = new Set<string>();
  /** App keys usable at the last check, with their generation (a change of secrets ends live connections). */
  private usable = new Map<string, string>();
  private revision = -1;
  private timer: NodeJS.Timeout | undefined;
  /** The poll running, and the one queued to start after it. */
  private polling: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly listeners = new Set<(appKey: string, reason: InvalidationReason) => void>();
  private readonly now: () => number;
  private readonly logger: Logger;

  private constructor(private readonly options: CompositeCredentialRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
    for (const credential of options.config) this.configCredentials.set(credential.appKey, credential);
  }

  /** Loads the store; an app key in both places is a CredentialConflictError. */
  static async open(options: CompositeCredentialRegistryOptions): Promise<CompositeCredentialRegistry> {
    const registry = new CompositeCredentialRegistry(options);
    await registry.loadStore(true);
    registry.recompute(false);
    return registry;
  }

  byAppKey(appKey: string): Credential | undefined {
    return this.merged.get(appKey);
  }

  all(): Credential[] {
    return [...this.merged.values()];
  }

  /** Called with each app key whose live connections must end. */
  onInvalidated(listener: (appKey: string, reason: InvalidationReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the configuration file's credentials (SIGHUP); limits apply to the next request. */
  reloadConfig(credentials: readonly Credential[]): void {
    this.configCredentials = new Map(credentials.map((credential) => [credential.appKey, credential]));
    this.recompute(true);
  }

  /** Re-reads the store now (SIGHUP, or when its revision moved). */
  async reloadStore(): Promise<void> {
    await this.loadStore(false);
    this.recompute(true);
  }

  /** Starts the poller (revision and expiry checks). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.pollIntervalMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One poll: reload the store when its revision moved, then catch expiries. Called while a poll
   * runs (which may have read the store before the caller's change), it resolves after one more
   * poll that starts after it, so what it resolves to reflects the store as of the call.
   */
  tick(): Promise<void> {
    if (this.polling) return (this.queued ??= this.polling.then(() => ((this.queued = undefined), this.tick())));
    this.polling = this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const store = this.options.store;
      if (store && (await store.revision()) !== this.revision) await this.loadStore(false);
      this.recompute(true);
    } catch (error) {
      this.logger.error({ err: error }, 'credential store poll failed');
    }
  }

  private async loadStore(strict: boolean): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const revision = await store.revision();
    const next = new Map<string, Credential>();
    const revoked = new Set<string>();
    for (const record of await store.list()) {
      if (record.revokedAt !== null) revoked.add(record.appKey);
      try {
        next.set(record.appKey, credentialFromRecord(record, this.options.secretKey));
      } catch (error) {
        if (strict) throw new Error(`stored credential ${JSON.stringify(record.appKey)}: ${(error as Error).message}`);
        this.logger.warn({ appKey: record.appKey, reason: (error as Error).message }, 'stored credential skipped');
      }
    }
    const conflicts = [...next.keys()].filter((appKey) => this.configCredentials.has(appKey));
    if (conflicts.length > 0) {
      if (strict) throw new CredentialConflictError(conflicts);
      this.logger.warn({ appKeys: conflicts }, `${new CredentialConflictError(conflicts).message} (the configuration file wins until then)`);
      for (const appKey of conflicts) next.delete(appKey);
    }
    this.storeCredentials = next;
    this.revoked = revoked;
    this.revision = revision;
  }

  /** Merges both sources and tells listeners about every credential that stopped being usable. */
  private recompute(notify: boolean): void {
    const merged = new Map(this.storeCredentials);
    for (const [appKey, credential] of this.configCredentials) merged.set(appKey, credential);
    this.merged = merged;
    const now = this.now();
    const usable = new Map<string, string>();
    for (const [appKey, credential] of merged) if (usableAt(credential, now)) usable.set(appKey, credentialGeneration(credential));
    if (notify) {
      for (const [appKey, generation] of this.usable) {
        const credential = merged.get(appKey);
        let reason: InvalidationReason | undefined;
        if (!credential) reason = 'removed';
        else if (!usable.has(appKey)) reason = this.storeCredentials.has(appKey) && this.revoked.has(appKey) ? 'revoked' : 'expired';
        else if (usable.get(appKey) !== generation) reason = 'rotated';
        if (reason) this.emit(appKey, reason);
      }
    }
    this.usable = usable;
  }

  private emit(appKey: string, reason: InvalidationReason): void {
    for (const listener of this.listeners) {
      try {
        listener(appKey, reason);
      } catch (error) {
        this.logger.error({ err: error, appKey }, 'credential listener failed');
      }
    }
  }
}
