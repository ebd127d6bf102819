/** A trimmed day as kept after its raw trades are deleted: the minute lines and the day summary. */
export interface ArchivedDay {
  readonly symbol: string;
  readonly date: string;
  /** Trades the day had when it was archived. */
  readonly trades: number;
  /** Net inflow of the day (3 decimals), the last line's value. */
  readonly inflow: string;
  /** Every minute line: the minute start in Unix seconds and the cumulative inflow (3 decimals), as served. */
  readonly lines: ReadonlyArray<{ readonly timestamp: number; readonly inflow: string }>;
  /** Day summary as the engine computed it: `{ totals: DayTotals, distribution: CapitalDistribution }`. */
  readonly summary: unknown;
  readonly archivedAt: number;
}

/**
 * Where retention keeps the lines and summaries of days whose raw trades it deleted (embedded:
 * SqliteDayArchive; a PostgreSQL store implements the same). `archiveAndTrim` must store the day
 * and delete its trades in one transaction.
 */
export interface DayArchive {
  /**
   * Stores the day's lines and summary and deletes its raw trades, atomically; returns trades
   * deleted. A day archived before keeps its archive and any trades stored for it since (0).
   */
  archiveAndTrim(day: Omit<ArchivedDay, 'archivedAt'>, now?: number): Promise<number>;
  day(symbol: string, date: string): Promise<ArchivedDay | undefined>;
  /** Archived days of a symbol with dates in [from, to], ascending. */
  daysOf(symbol: string, from: string, to: string): Promise<ArchivedDay[]>;
  /** Every archived (symbol, date) with its trade count. */
  index(): Promise<Array<{ symbol: string; date: string; trades: number }>>;
  /**
   * Optional bulk path (PostgreSQL): trims many symbols of one trading day in one transaction,
   * so a day whose partition ends up empty is truncated instead of deleted row by row.
   */
  beginDayTrim?(date: string): Promise<DayTrim>;
  close(): Promise<void>;
}

/**
 * One trading day being trimmed: `add` archives a symbol's day (nothing is visible yet; false
 * when the day was archived before — trades stored for it since are then left alone, raw),
 * `commit` deletes the added symbols' raw trades and makes it all visible at once (returns the
 * trades deleted), `abort` undoes it. While open, no other retention pass trims the same store.
 */
export interface DayTrim {
  add(day: Omit<ArchivedDay, 'archivedAt'>, now?: number): Promise<boolean>;
  commit(): Promise<number>;
  abort(): Promise<void>;
}
