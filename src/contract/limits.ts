/**
 * The limits and defaults the HTTP API documents. The server enforces exactly these (the contract
 * tests compare them with the constants the server and its services run on).
 */
export const ApiLimits = {
  /** Most symbols of one batch request (`symbols=`), as of socket command 210. */
  batchSymbols: 50,
  /** Longest range of one daily-history request, in calendar days (inclusive). */
  dailyRangeDays: 366,
  /** Range of a daily-history request without `from`: this many calendar days ending at `to`. */
  defaultDailyRangeDays: 30,
  /** Longest range of one history request, in calendar days. */
  historyRangeDays: 3660,
  /** futu convention: trailing stored trading days behind the percentiles, by default and at most. */
  defaultPercentileDays: 20,
  maxPercentileDays: 250,
  /** Trades listed by one minute-trades answer, by default and at most (the sums always cover every trade). */
  defaultMinuteTrades: 200,
  maxMinuteTrades: 1000,
  /** Rankings and sector rankings: items per page by default and at most. */
  defaultRankingLimit: 50,
  maxRankingLimit: 500,
  /** The windows a ranking may span, in trading days. */
  rankingWindows: [1, 3, 5, 10],
  /** Live streams one credential may hold open unless it sets its own `streams`. */
  streamsPerCredential: 10,
  /** Seconds between the stream's `: heartbeat` comments. */
  streamHeartbeatSeconds: 15,
  /** What the stream tells EventSource to wait before reconnecting (`retry:`), ms. */
  streamRetryMs: 3000,
  /** The accepted distance of `X-Timestamp` from the server clock, seconds. */
  timestampWindowSeconds: 300,
} as const;
