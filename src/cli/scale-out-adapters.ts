import { NatsTradeBus } from '../bus/nats-trade-bus.js';
import type { TradeBus } from '../bus/trade-bus.js';
import { FailoverRateLimiter } from '../server/rate-limit/failover-rate-limiter.js';
import type { CommandRateLimiter } from '../server/rate-limit/token-bucket.js';
import { fleetDemoSecrets, type DemoSecrets } from '../store/gateway-state/fleet-demo-credential.js';
import { postgresGatewayState } from '../store/gateway-state/postgres-gateway-state.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { FlowStore } from '../store/flow-store.js';
import { PostgresFlowStore } from '../store/postgres-flow-store.js';
import { SqliteFlowStore } from '../store/sqlite-flow-store.js';

/**
 * The one place adapters are picked from command-line settings: no `--store` means the embedded
 * SQLite file in the data directory; `postgres://…` the PostgreSQL store; `nats://…` the JetStream bus.
 */
export async function openFlowStore(spec: string | undefined, dataDir: string | undefined): Promise<FlowStore> {
  if (spec === undefined || spec === '' || spec === 'sqlite') {
    if (!dataDir) throw new Error('--data DIR is required for the embedded store');
    return SqliteFlowStore.open(dataDir);
  }
  if (isSharedStoreUrl(spec)) return PostgresFlowStore.open(spec);
  throw new Error(`--store must be postgres://… (or omitted for the embedded SQLite store), got ${JSON.stringify(spec)}`);
}

export async function openTradeBus(spec: string | undefined, name: string): Promise<TradeBus | undefined> {
  if (spec === undefined || spec === '') return undefined;
  if (spec.startsWith('nats://')) return NatsTradeBus.connect(spec, { name });
  throw new Error(`--bus must be nats://…, got ${JSON.stringify(spec)}`);
}

/**
 * Gateway state shared through the store's database when it is PostgreSQL (else in memory):
 * one-time passwords, sessions, rate limits, and the fleet-wide count of live connections.
 * Rate limits fall back to this gateway's own buckets while the database does not answer, so
 * requests keep being answered from the days held (failover-rate-limiter.ts).
 */
export function sharedGatewayState(
  store: FlowStore,
  logger: Logger = silentLogger(),
): (Omit<ReturnType<typeof postgresGatewayState>, 'rateLimiter'> & { rateLimiter: CommandRateLimiter }) | Record<string, never> {
  if (!(store instanceof PostgresFlowStore)) return {};
  const state = postgresGatewayState(store.connectionPool, { logger: logger.child({ module: 'gateway-state' }) });
  return { ...state, rateLimiter: new FailoverRateLimiter(state.rateLimiter, { logger: logger.child({ module: 'rate-limit' }) }) };
}

/** True for a `--store` that lives outside the data directory (PostgreSQL). */
export function isSharedStoreUrl(spec: string | undefined): boolean {
  return spec !== undefined && /^postgres(ql)?:\/\//.test(spec);
}

/** The demo credential's secrets kept in the shared store (the same for every gateway), if it is one. */
export async function sharedDemoSecrets(store: FlowStore): Promise<DemoSecrets | undefined> {
  return store instanceof PostgresFlowStore ? fleetDemoSecrets(store.connectionPool) : undefined;
}
