import type pg from 'pg';
import type { ArchivedDay, DayArchive, DayTrim } from './day-archive.js';
import {
  finishPostgresTransaction,
  openMigratedPostgres,
  queryWithTimeout,
  rollbackPostgresTransaction,
  type PostgresLocation,
} from './postgres-connection.js';
import { partitionName, quoteIdentifier } from './postgres-schema.js';

interface ArchiveRow {
  symbol: string;
  date: string;
  trades: string;
  inflow: string;
  lines: ArchivedDay['lines'];
  summary: unknown;
  archived_at: string;
}

const ARCHIVE_COLUMNS = 'symbol, date::text AS date, trades, inflow, lines, summary, archived_at';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function fromRow(row: ArchiveRow): ArchivedDay {
  return {
    symbol: row.symbol,
    date: row.date,
    trades: Number(row.trades),
    inflow: row.inflow,
    lines: row.lines,
    summary: row.summary,
    archivedAt: Number(row.archived_at),
  };
}

/** Trades of a day changed between reading them and trimming them: nothing is trimmed; the next pass redoes the day. */
export class TrimConflictError extends Error {
  constructor(symbol: string, date: string, expected: number, found: number) {
    super(`${symbol} ${date}: ${found} trades stored, ${expected} archived; left untrimmed for the next pass`);
    this.name = 'TrimConflictError';
  }
}

/**
 * The retention archive of the PostgreSQL store (`archived_days`, migration 4), mirroring
 * SqliteDayArchive. A day's archived lines and summary and the deletion of its raw trades commit
 * in one transaction. Trims are serialised per schema (an advisory lock), so several gateways may
 * all run retention; the deletion itself runs under the appenders' lock after checking that the
 * stored trades are exactly those archived. When a trim covers every symbol left in a day's
 * partition, the partition is truncated (no dead rows, no vacuum) instead of deleted row by row;
 * it is kept, empty, so a late trade of that day can still be stored.
 */
export class PostgresDayArchive implements DayArchive {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: PostgresLocation,
  ) {}

  static async open(target: string | PostgresLocation, options: { poolSize?: number } = {}): Promise<PostgresDayArchive> {
    const { pool, location } = await openMigratedPostgres(target, options.poolSize ?? 3);
    return new PostgresDayArchive(pool, location);
  }

  async archiveAndTrim(day: Omit<ArchivedDay, 'archivedAt'>, now = Date.now()): Promise<number> {
    const trim = await this.beginDayTrim(day.date);
    try {
      await trim.add(day, now);
    } catch (error) {
      await trim.abort();
      throw error;
    }
    return trim.commit();
  }

  async beginDayTrim(date: string): Promise<DayTrim> {
    if (!ISO_DATE.test(date)) throw new Error(`invalid trading day ${JSON.stringify(date)}`);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('capflow-retention:' || $1))", [this.location.schema]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw error;
    }
    return new PostgresDayTrim(client, this.location.schema, date);
  }

  async day(symbol: string, date: string): Promise<ArchivedDay | undefined> {
    if (!ISO_DATE.test(date)) return undefined;
    const { rows } = await this.pool.query<ArchiveRow>(`SELECT ${ARCHIVE_COLUMNS} FROM archived_days WHERE symbol = $1 AND date = $2`, [symbol, date]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async daysOf(symbol: string, from: string, to: string): Promise<ArchivedDay[]> {
    if (!ISO_DATE.test(from) || !ISO_DATE.test(to)) return [];
    const { rows } = await this.pool.query<ArchiveRow>(
      `SELECT ${ARCHIVE_COLUMNS} FROM archived_days WHERE symbol = $1 AND date BETWEEN $2 AND $3 ORDER BY date`,
      [symbol, from, to],
    );
    return rows.map(fromRow);
  }

  async index(): Promise<Array<{ symbol: string; date: string; trades: number }>> {
    const { rows } = await this.pool.query<{ symbol: string; date: string; trades: string }>(
      'SELECT symbol, date::text AS date, trades FROM archived_days ORDER BY symbol COLLATE "C", date',
    );
    return rows.map((row) => ({ symbol: row.symbol, date: row.date, trades: Number(row.trades) }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * The statements of a trim count, truncate or delete a whole day's trades and wait for the
 * appenders' lock: they get far longer than the pool's query timeout.
 */
const TRIM_STATEMENT_TIMEOUT_MS = 10 * 60_000;

class PostgresDayTrim implements DayTrim {
  /** Trades archived per symbol in this transaction. */
  private readonly added = new Map<string, number>();
  private finished = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly schema: string,
    private readonly date: string,
  ) {}

  async add(day: Omit<ArchivedDay, 'archivedAt'>, now = Date.now()): Promise<boolean> {
    if (this.finished) throw new Error('day trim already finished');
    if (day.date !== this.date) throw new Error(`day trim of ${this.date} given a day of ${day.date}`);
    const { rowCount } = await this.client.query(
      `INSERT INTO archived_days (symbol, date, trades, inflow, lines, summary, archived_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)
       ON CONFLICT (symbol, date) DO NOTHING`,
      [day.symbol, day.date, day.trades, day.inflow, JSON.stringify(day.lines), JSON.stringify(day.summary), now],
    );
    // Archived before: trades stored for the day since are not in that archive, so they stay raw
    // (`capflow doctor` reports the day) rather than being deleted unaccounted.
    if (rowCount === 0) return false;
    this.added.set(day.symbol, day.trades);
    return true;
  }

  async commit(): Promise<number> {
    if (this.finished) throw new Error('day trim already finished');
    this.finished = true;
    return finishPostgresTransaction(this.client, async () => {
      // No append may land between the count and the deletion.
      await this.client.query(queryWithTimeout("SELECT pg_advisory_xact_lock(hashtext('capflow-append:' || $1))", [this.schema], TRIM_STATEMENT_TIMEOUT_MS));
      const { rows } = await this.client.query<{ symbol: string; n: string }>(
        queryWithTimeout('SELECT symbol, count(*) AS n FROM trades WHERE date = $1 GROUP BY symbol', [this.date], TRIM_STATEMENT_TIMEOUT_MS),
      );
      const stored = new Map(rows.map((row) => [row.symbol, Number(row.n)]));
      let deleted = 0;
      for (const [symbol, expected] of this.added) {
        const found = stored.get(symbol) ?? 0;
        if (found !== 0 && found !== expected) throw new TrimConflictError(symbol, this.date, expected, found);
        deleted += found;
      }
      const everySymbol = [...stored.keys()].every((symbol) => this.added.has(symbol));
      if (deleted > 0 && everySymbol) {
        // The cheap path: the whole day goes. The partition stays (empty) for late trades of the day.
        await this.client.query(queryWithTimeout(`TRUNCATE ${quoteIdentifier(partitionName(this.date))}`, [], TRIM_STATEMENT_TIMEOUT_MS));
      } else if (deleted > 0) {
        await this.client.query(
          queryWithTimeout('DELETE FROM trades WHERE date = $1 AND symbol = ANY($2::text[])', [this.date, [...this.added.keys()]], TRIM_STATEMENT_TIMEOUT_MS),
        );
      }
      // A day's engine snapshot goes with its trades: nothing is rebuilt from a removed day.
      await this.client.query(
        queryWithTimeout('DELETE FROM day_snapshots WHERE date = $1 AND symbol = ANY($2::text[])', [this.date, [...this.added.keys()]], TRIM_STATEMENT_TIMEOUT_MS),
      );
      return deleted;
    });
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await rollbackPostgresTransaction(this.client);
  }
}
