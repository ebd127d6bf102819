import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH_KIND_COMMAND } from '../server/queries/batch.js';
import { MAX_HISTORY_RANGE_DAYS } from '../service/flow-history.js';
import { DEFAULT_PERCENTILE_DAYS, MAX_PERCENTILE_DAYS } from '../service/tier-flows.js';
import { DEFAULT_RANKING_LIMIT, MAX_RANKING_LIMIT } from '../service/rankings/ranking-query.js';
import { RANKING_WINDOWS } from '../service/rankings/trading-window.js';
import { ApiLimits } from './limits.js';
import { ROUTES } from './routes.js';

describe('the documented limits', () => {
  // The server's own limits are ApiLimits' values; the services beneath the contract keep theirs.
  it('are the ones the services beneath the contract enforce', () => {
    assert.deepEqual(
      { historyRangeDays: MAX_HISTORY_RANGE_DAYS, defaultPercentileDays: DEFAULT_PERCENTILE_DAYS, maxPercentileDays: MAX_PERCENTILE_DAYS },
      { historyRangeDays: ApiLimits.historyRangeDays, defaultPercentileDays: ApiLimits.defaultPercentileDays, maxPercentileDays: ApiLimits.maxPercentileDays },
    );
  });

  it('rankings page and window as the rankings service does', () => {
    assert.deepEqual(
      { defaultRankingLimit: DEFAULT_RANKING_LIMIT, maxRankingLimit: MAX_RANKING_LIMIT, rankingWindows: [...RANKING_WINDOWS] },
      { defaultRankingLimit: ApiLimits.defaultRankingLimit, maxRankingLimit: ApiLimits.maxRankingLimit, rankingWindows: [...ApiLimits.rankingWindows] },
    );
  });

  it("a batch's symbols draw on the buckets the route documents (the same as socket command 210's)", () => {
    assert.deepEqual(ROUTES.batch.rateLimit.perSymbol, BATCH_KIND_COMMAND);
  });
});
