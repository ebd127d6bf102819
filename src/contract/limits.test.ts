import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH_SYMBOL_LIMIT } from '../server/quote/capital-flow-batch.js';
import { DEFAULT_STREAMS_PER_CREDENTIAL } from '../server/rest/capital-flow-stream.js';
import { DEFAULT_DAILY_RANGE_DAYS, MAX_DAILY_RANGE_DAYS } from '../server/rest/flow-queries.js';
import { MAX_HISTORY_RANGE_DAYS } from '../service/flow-history.js';
import { DEFAULT_PERCENTILE_DAYS, MAX_PERCENTILE_DAYS } from '../service/tier-flows.js';
import { DEFAULT_RANKING_LIMIT, MAX_RANKING_LIMIT } from '../service/rankings/ranking-query.js';
import { RANKING_WINDOWS } from '../service/rankings/trading-window.js';
import { ApiLimits } from './limits.js';

describe('the documented limits', () => {
  it('are the ones the server and its services enforce', () => {
    assert.deepEqual(
      {
        batchSymbols: BATCH_SYMBOL_LIMIT,
        dailyRangeDays: MAX_DAILY_RANGE_DAYS,
        defaultDailyRangeDays: DEFAULT_DAILY_RANGE_DAYS,
        historyRangeDays: MAX_HISTORY_RANGE_DAYS,
        defaultPercentileDays: DEFAULT_PERCENTILE_DAYS,
        maxPercentileDays: MAX_PERCENTILE_DAYS,
        streamsPerCredential: DEFAULT_STREAMS_PER_CREDENTIAL,
        defaultRankingLimit: DEFAULT_RANKING_LIMIT,
        maxRankingLimit: MAX_RANKING_LIMIT,
        rankingWindows: [...RANKING_WINDOWS],
      },
      {
        batchSymbols: ApiLimits.batchSymbols,
        dailyRangeDays: ApiLimits.dailyRangeDays,
        defaultDailyRangeDays: ApiLimits.defaultDailyRangeDays,
        historyRangeDays: ApiLimits.historyRangeDays,
        defaultPercentileDays: ApiLimits.defaultPercentileDays,
        maxPercentileDays: ApiLimits.maxPercentileDays,
        streamsPerCredential: ApiLimits.streamsPerCredential,
        defaultRankingLimit: ApiLimits.defaultRankingLimit,
        maxRankingLimit: ApiLimits.maxRankingLimit,
        rankingWindows: [...ApiLimits.rankingWindows],
      },
    );
  });
});
