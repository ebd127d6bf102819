import type { Logger } from '../../logging/logger.js';
import { HttpErrorCode, httpError } from '../../model/errors.js';
import type { FlowService } from '../../service/flow-service.js';
import type { FlowStore, StoredTrade } from '../../store/flow-store.js';
import type { CapflowMetrics } from '../metrics/capflow-metrics.js';
import { notifyingAppends } from '../../store/gateway-state/notifying-appends.js';
import type { ContractRouter } from './contract-router.js';
import { ingestBody, ingestBodyChoice } from './ingest-body.js';

export interface IngestRouteOptions {
  store: FlowStore;
  flows: FlowService;
  metrics: CapflowMetrics;
  /** Told of the trades stored, after their commit (a fleet announces them). */
  onStored?: ((stored: readonly StoredTrade[]) => void) | undefined;
  logger: Logger;
}

/**
 * `POST /v1/ingest`: trades stored (acknowledged once committed), then announced to a fleet and
 * applied to the loaded day states at once instead of being read back by the next poll.
 */
export function registerIngestRoute(routes: ContractRouter, options: IngestRouteOptions): void {
  const { flows, logger } = options;
  const announcing = options.onStored ? notifyingAppends(options.store, options.onStored, logger.child({ listener: 'fleet announcement' })) : options.store;
  const applying = logger.child({ listener: 'loaded days' });
  const target = notifyingAppends(
    announcing,
    (stored) => void flows.applyCommitted(stored).catch((error: unknown) => applying.error({ err: error, trades: stored.length }, 'applying ingested trades failed')),
    applying,
  );
  routes.envelope('ingest', async ({ context, credential }) => {
    if (!credential.ingest) throw httpError(403, HttpErrorCode.CredentialExpired, 'this credential may not ingest trades');
    // An Idempotency-Key makes a retried body resume from what was committed, never double count.
    const key = context.request.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(key) ? key[0] : key;
    // The body's format (NDJSON by default, CSV, Level-2, or a column mapping) comes from the query.
    const summary = await ingestBody(
      target,
      context.body,
      ingestBodyChoice(context.searchParams),
      idempotencyKey ? { sourceId: `http:${credential.appKey}:${idempotencyKey}`, idempotencyKey } : {},
    );
    options.metrics.ingested(summary);
    await flows.poll();
    return summary;
  });
}
