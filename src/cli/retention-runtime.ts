import type { Logger } from '../logging/logger.js';
import type { MarketClock } from '../service/market-clock.js';
import { scheduleRetention } from '../service/retention-job.js';
import type { DayArchive } from '../store/day-archive.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteDayArchive } from '../store/sqlite-day-archive.js';
import { PostgresDayArchive } from '../store/postgres-day-archive.js';
import { isSharedStoreUrl } from './scale-out-adapters.js';

/** The archive of retention-trimmed days: PostgreSQL's `archived_days` with `--store postgres://…`, else the embedded store's. */
export async function openDayArchive(storeUrl: string | undefined, dataDir: string | undefined): Promise<DayArchive | undefined> {
  if (isSharedStoreUrl(storeUrl)) return PostgresDayArchive.open(storeUrl!);
  if (dataDir === undefined || (storeUrl !== undefined && storeUrl !== '' && !storeUrl.startsWith('sqlite'))) return undefined;
  return SqliteDayArchive.open(dataDir);
}

/**
 * Starts the daily retention job of `serve --retain-trades-days N`; the cutoff follows the market
 * clock, so a replayed past day is never trimmed. Returns its stop (which waits for a running pass).
 */
export function startRetention(options: {
  archive: DayArchive | undefined;
  store: FlowStore;
  clock: MarketClock;
  retainTradesDays: number;
  logger: Logger;
}): () => Promise<void> {
  const archive = options.archive;
  if (!archive) {
    options.logger.warn('retention not available for this store yet; raw trades are kept');
    return async () => undefined;
  }
  return scheduleRetention({
    store: options.store,
    archive,
    retainTradesDays: options.retainTradesDays,
    now: (market) => options.clock.now(market),
    logger: options.logger,
  });
}
