import type { MarketClock } from '../service/market-clock.js';
import { scheduleRetention } from '../service/retention-job.js';
import type { FlowStore } from '../store/flow-store.js';
import { SqliteDayArchive } from '../store/sqlite-day-archive.js';

/**
 * Starts the daily retention job of `serve --retain-trades-days N` over the embedded store; the
 * cutoff follows the market clock, so a replayed past day is never trimmed. Returns its stop.
 */
export async function startRetention(options: {
  dataDir: string;
  storeUrl: string | undefined;
  store: FlowStore;
  clock: MarketClock;
  retainTradesDays: number;
  log: (message: string) => void;
}): Promise<() => void> {
  if (options.storeUrl !== undefined && options.storeUrl !== '' && !options.storeUrl.startsWith('sqlite:')) {
    options.log('retention: not available for this store yet; raw trades are kept');
    return () => undefined;
  }
  const archive = await SqliteDayArchive.open(options.dataDir);
  const stop = scheduleRetention({
    store: options.store,
    archive,
    retainTradesDays: options.retainTradesDays,
    now: (market) => options.clock.now(market),
    log: options.log,
  });
  return () => {
    stop();
    void archive.close();
  };
}
