/**
 * The baseline of the engine benchmark: the same lines computed by DuckDB in SQL straight from
 * the CSV file — arrival order, trading day, redeliveries by trade id, Lee–Ready classification
 * (quote rule, then tick rule with the last non-zero tick via window functions), neutral closing
 * auction, minute buckets with lunch breaks and the grace window, cumulative sums per minute.
 * The calendar (session instants and the minute → line table) is handed in as small tables:
 * it is input data, not part of the computation being compared.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { calendarFor } from '../src/calendar/trading-calendar.js';
import type { Market } from '../src/model/market.js';

export interface SqlLines {
  /** `symbol` → the day's cumulative inflow per line, formatted with 3 decimals. */
  readonly lines: Map<string, string[]>;
  readonly rows: number;
}

export async function duckdbLines(csvPath: string, date: string, threads: number): Promise<SqlLines> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const db = await instance.connect();
  const dayRows: string[] = [];
  const minuteRows: string[] = [];
  const lineRows: string[] = [];
  for (const market of ['HK', 'US', 'CN', 'SG'] as Market[]) {
    const day = calendarFor(market).schedule(date)!;
    dayRows.push(`('${market}', ${day.dayStartMs}, ${day.dayEndMs}, ${day.firstSessionStartMs}, ${day.lastSessionEndMs}, ${day.graceEndMs})`);
    for (let ms = day.firstSessionStartMs; ms < day.graceEndMs; ms += 60_000) {
      const line = day.lineIndexAt(ms);
      if (line >= 0) minuteRows.push(`('${market}', ${(ms - day.firstSessionStartMs) / 60_000}, ${line})`);
    }
    day.lineStartMs.forEach((start, index) => lineRows.push(`('${market}', ${index}, ${start / 1000})`));
  }
  await db.run(`CREATE TABLE days(market VARCHAR, day_start BIGINT, day_end BIGINT, first_start BIGINT, grace_start BIGINT, grace_end BIGINT);
    INSERT INTO days VALUES ${dayRows.join(',')};
    CREATE TABLE minute_map(market VARCHAR, minute_offset BIGINT, line_index INTEGER);
    INSERT INTO minute_map VALUES ${minuteRows.join(',')};
    CREATE TABLE line_grid(market VARCHAR, line_index INTEGER, line_ts BIGINT);
    INSERT INTO line_grid VALUES ${lineRows.join(',')};`);
  const path = csvPath.replace(/'/g, "''");
  await db.run(`CREATE TABLE t AS SELECT row_number() OVER () AS rn, * FROM read_csv('${path}', header = true,
    columns = {'symbol': 'VARCHAR', 'timestamp': 'BIGINT', 'price': 'DECIMAL(18,3)', 'volume': 'BIGINT',
               'direction': 'VARCHAR', 'trade_id': 'VARCHAR', 'bid': 'DECIMAL(18,3)', 'ask': 'DECIMAL(18,3)', 'trade_type': 'VARCHAR'})`);
  const reader = await db.runAndReadAll(`
    WITH s AS (
      SELECT t.*, d.market, d.day_start, d.first_start, d.grace_start, d.grace_end
      FROM t JOIN days d
        ON d.market = CASE WHEN t.symbol LIKE '%.SH' OR t.symbol LIKE '%.SZ' THEN 'CN' ELSE split_part(t.symbol, '.', -1) END
       AND t.timestamp >= d.day_start AND t.timestamp < d.day_end
    ),
    dedup AS (
      SELECT * FROM s
      QUALIFY trade_id IS NULL OR row_number() OVER (PARTITION BY symbol, day_start, trade_id ORDER BY rn) = 1
    ),
    ticks AS (
      SELECT *, sign(price - lag(price) OVER (PARTITION BY symbol, day_start ORDER BY rn)) AS tick FROM dedup
    ),
    classified AS (
      SELECT *, coalesce(last_value(nullif(tick, 0) IGNORE NULLS) OVER (PARTITION BY symbol, day_start ORDER BY rn
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 0) AS last_change
      FROM ticks
    ),
    counted AS (
      SELECT c.symbol, c.market, m.line_index, c.price * c.volume AS turnover,
        CASE
          WHEN lower(c.direction) IN ('up', 'buy', '2') THEN 2
          WHEN lower(c.direction) IN ('down', 'sell', '1') THEN 1
          WHEN lower(c.direction) IN ('neutral', '0') THEN 0
          WHEN c.timestamp >= c.grace_start THEN 0
          WHEN c.bid IS NOT NULL AND c.ask IS NOT NULL AND c.price >= c.ask THEN 2
          WHEN c.bid IS NOT NULL AND c.ask IS NOT NULL AND c.price <= c.bid THEN 1
          WHEN c.bid IS NOT NULL AND c.ask IS NOT NULL AND 2 * c.price > c.bid + c.ask THEN 2
          WHEN c.bid IS NOT NULL AND c.ask IS NOT NULL AND 2 * c.price < c.bid + c.ask THEN 1
          WHEN c.tick > 0 THEN 2
          WHEN c.tick < 0 THEN 1
          WHEN c.last_change > 0 THEN 2
          WHEN c.last_change < 0 THEN 1
          ELSE 0
        END AS dir
      FROM classified c
      JOIN minute_map m ON m.market = c.market AND m.minute_offset = (c.timestamp - c.first_start) // 60000
      WHERE c.timestamp >= c.first_start AND c.timestamp < c.grace_end
    ),
    net AS (
      SELECT symbol, line_index, sum(CASE dir WHEN 2 THEN turnover WHEN 1 THEN -turnover ELSE 0 END) AS net
      FROM counted GROUP BY symbol, line_index
    ),
    grid AS (SELECT DISTINCT symbol, market FROM s)
    SELECT g.symbol, CAST(sum(coalesce(n.net, 0)) OVER (PARTITION BY g.symbol ORDER BY l.line_index) AS VARCHAR) AS cum
    FROM grid g JOIN line_grid l ON l.market = g.market
    LEFT JOIN net n ON n.symbol = g.symbol AND n.line_index = l.line_index
    ORDER BY g.symbol, l.line_index`);
  const symbols = reader.getColumns()[0] as string[];
  const values = reader.getColumns()[1] as string[];
  const lines = new Map<string, string[]>();
  for (let i = 0; i < symbols.length; i++) {
    const symbol = symbols[i] as string;
    let list = lines.get(symbol);
    if (!list) lines.set(symbol, (list = []));
    list.push(values[i] as string);
  }
  db.closeSync();
  instance.closeSync();
  return { lines, rows: symbols.length };
}
