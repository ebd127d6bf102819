import type pg from 'pg';
import { decimalToString } from '../model/decimal.js';
import type { AppendResult, FlowStore, SourceCheckpoint, SourceState, StoredTrade, SymbolDay, SymbolSummary, TradeToStore } from './flow-store.js';
import { inPostgresTransaction, openMigratedPostgres, type PostgresLocation, type PostgresPoolBounds } from './postgres-connection.js';
import { PostgresDaySnapshots } from './postgres-day-snapshots.js';
import { partitionName, quoteIdentifier } from './postgres-schema.js';
import { STAGING_TABLE, stageTrades, stagingCommitted } from './postgres-trade-staging.js';
import { checkFingerprint, sourcePositionConflict } from './sqlite-flow-store.js';
// PostgreSQL's numeric text keeps the scale it was written with, so it reads back like SQLite's stored text.
import { tradeFromRow, type StoredTradeRow } from './stored-trade-row.js';
import { appendColumnsAsTrades, columnsOfTrades, type ColumnsAppendResult, type TradeColumns } from './trade-columns.js';

export interface PostgresFlowStoreOptions extends PostgresPoolBounds {
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
}

interface TradeRow extends StoredTradeRow {
  seq: string;
  date: string;
}

const TRADE_COLUMNS = 'seq, symbol, date::text AS date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function rowToTrade(row: TradeRow): StoredTrade {
  return { ...tradeFromRow(row), seq: Number(row.seq), date: row.date };
}

/** Batches from this size on are copied in (COPY FROM STDIN into a staging table); smaller ones go as array parameters. */
export const COPY_MIN_TRADES = 1000;

interface InsertedRow {
  seq: string;
  symbol: string;
  date: string;
  trade_id: string | null;
}

const TRADE_INSERT = 'INSERT INTO trades (symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification)';
const INSERTED = 'ON CONFLICT DO NOTHING RETURNING seq, symbol, date::text AS date, trade_id';

/** A batch as array parameters, one row per element (`ord` keeps the batch's order). */
const INSERT_UNNEST = `${TRADE_INSERT}
  SELECT symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification
  FROM unnest($1::text[], $2::date[], $3::bigint[], $4::numeric[], $5::bigint[], $6::smallint[], $7::text[], $8::numeric[], $9::numeric[], $10::text[], $11::text[])
       WITH ORDINALITY AS input (symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification, ord)
  ORDER BY ord
  ${INSERTED}`;

/** A batch copied into the session's staging table. */
const INSERT_STAGED = `${TRADE_INSERT}
  SELECT symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification
  FROM ${STAGING_TABLE} ORDER BY ord
  ${INSERTED}`;

function unnestParameters(batch: readonly TradeToStore[]): unknown[] {
  return [
    batch.map((t) => t.trade.symbol),
    batch.map((t) => t.date),
    batch.map((t) => String(t.trade.timestamp)),
    batch.map((t) => decimalToString(t.trade.price)),
    batch.map((t) => String(t.trade.volume)),
    batch.map((t) => t.trade.direction ?? null),
    batch.map((t) => t.trade.tradeId ?? null),
    batch.map((t) => (t.trade.bid === undefined ? null : decimalToString(t.trade.bid))),
    batch.map((t) => (t.trade.ask === undefined ? null : decimalToString(t.trade.ask))),
    batch.map((t) => t.trade.tradeType ?? null),
    batch.map((t) => t.trade.classification ?? null),
  ];
}


/**
 * The scale-out store: trades in a table partitioned by trading day (a partition is created the
 * first time a day is written), sequence numbers from a bigint identity. Appends run one at a
 * time per schema (a transaction-scoped advisory lock), so sequence numbers become visible in
 * increasing order and a reader following `tradesAfter` never skips a trade committed late.
 * A source checkpoint is written in the append's transaction: a retried batch whose checkpoint
 * already moved is refused whole, so retries never count a trade twice.
 */
export class PostgresFlowStore implements FlowStore {
  private closed = false;
  /** Day partitions known to exist (creating one is idempotent; this only saves the DDL). */
  private readonly partitions = new Set<string>();
  /** Served days' engine states (migration 8): a restart replays only the trades after them. */
  readonly daySnapshots: PostgresDaySnapshots;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: PostgresLocation,
    readonly schemaVersion: number,
  ) {
    this.daySnapshots = new PostgresDaySnapshots(pool, async (symbol, date, afterSeq, maxSeq) =>
      columnsOfTrades(await this.tradesOfDay(symbol, date, maxSeq, afterSeq)),
    );
  }

  /** Connects (`postgres://…[?schema=name]` or a location) and brings the schema up to date. */
  static async open(target: string | PostgresLocation, options: PostgresFlowStoreOptions = {}): Promise<PostgresFlowStore> {
    const { pool, location, schemaVersion } = await openMigratedPostgres(target, options.poolSize ?? 10, options);
    return new PostgresFlowStore(pool, location, schemaVersion);
  }

  /** The pool, for the gateway state kept in the same schema. */
  get connectionPool(): pg.Pool {
    return this.pool;
  }

  /** Columns are stored as rows here (large batches are copied in, small ones go as `unnest` arrays). */
  appendColumns(columns: TradeColumns, checkpoint?: SourceCheckpoint): Promise<ColumnsAppendResult> {
    return appendColumnsAsTrades(this, columns, checkpoint);
  }

  async readDayColumns(symbol: string, date: string, maxSeq?: number): Promise<TradeColumns> {
    return columnsOfTrades(await this.tradesOfDay(symbol, date, maxSeq));
  }

  async appendTrades(batch: readonly TradeToStore[], checkpoint?: SourceCheckpoint): Promise<AppendResult> {
    for (const { date } of batch) if (!ISO_DATE.test(date)) throw new Error(`invalid trading day ${JSON.stringify(date)}`);
    const copying = batch.length >= COPY_MIN_TRADES;
    let session: pg.PoolClient | undefined;
    const result = await inPostgresTransaction(this.pool, async (client) => {
      session = client;
      // A large batch is copied into the session's staging table before the appenders' lock is
      // taken: parsing it there does not hold up the other appenders.
      if (copying) await stageTrades(client, batch, this.queryTimeoutMs);
      await client.query("SELECT pg_advisory_xact_lock(hashtext('capflow-append:' || $1))", [this.location.schema]);
      return this.appendLocked(client, batch, checkpoint, copying);
    });
    if (copying && session) stagingCommitted(session);
    return result;
  }

  /** The pool's limit on one query (ms, 0 = none), applied to COPY too. */
  private get queryTimeoutMs(): number {
    return (this.pool.options as { query_timeout?: number }).query_timeout ?? 0;
  }

  private async appendLocked(client: pg.PoolClient, batch: readonly TradeToStore[], checkpoint: SourceCheckpoint | undefined, staged: boolean): Promise<AppendResult> {
    if (checkpoint && (checkpoint.expectedPosition !== undefined || checkpoint.fingerprint !== undefined)) {
      const { rows } = await client.query<{ position: string; fingerprint: string | null }>(
        'SELECT position, fingerprint FROM sources WHERE source_id = $1',
        [checkpoint.sourceId],
      );
      checkFingerprint(checkpoint, rows[0]?.fingerprint);
      const actual = rows[0] ? Number(rows[0].position) : 0;
      if (checkpoint.expectedPosition !== undefined && actual !== checkpoint.expectedPosition) {
        throw sourcePositionConflict(checkpoint.sourceId, checkpoint.expectedPosition, actual);
      }
    }
    const stored: StoredTrade[] = [];
    let duplicates = 0;
    if (batch.length > 0) {
      await this.ensurePartitions(client, batch);
      const { rows } = staged ? await client.query<InsertedRow>(INSERT_STAGED) : await client.query<InsertedRow>(INSERT_UNNEST, unnestParameters(batch));
      // Rows are inserted in batch order (their seqs ascend in it): the stored trades are the
      // batch minus the later copies of an id and the ids stored before. Walking both in order, a
      // trade was stored when the next inserted row is its own (a skipped copy's key cannot be a
      // later row's: that one would have been skipped as well).
      rows.sort((a, b) => Number(a.seq) - Number(b.seq));
      let next = 0;
      for (const { trade, date } of batch) {
        const row = rows[next];
        if (row !== undefined && row.symbol === trade.symbol && row.date === date && row.trade_id === (trade.tradeId ?? null)) {
          stored.push({ ...trade, seq: Number(row.seq), date });
          next++;
        } else if (trade.tradeId === undefined) throw new Error('internal: a trade without an id was not inserted');
        else duplicates++;
      }
      if (next !== rows.length) throw new Error('internal: more rows inserted than trades accepted');
      await this.updateSummaries(client, stored);
    }
    if (checkpoint) {
      await client.query(
        `INSERT INTO sources (source_id, position, updated_ms, fingerprint) VALUES ($1, $2, $3, $4)
         ON CONFLICT (source_id) DO UPDATE SET position = excluded.position, updated_ms = excluded.updated_ms,
           fingerprint = COALESCE(sources.fingerprint, excluded.fingerprint)`,
        [checkpoint.sourceId, checkpoint.position, Date.now(), checkpoint.fingerprint ?? null],
      );
    }
    return { stored, duplicates };
  }

  private async ensurePartitions(client: pg.PoolClient, batch: readonly TradeToStore[]): Promise<void> {
    for (const date of new Set(batch.map((t) => t.date))) {
      if (this.partitions.has(date)) continue;
      // Dates were checked against YYYY-MM-DD, so they are safe inside the DDL text.
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(partitionName(date))} PARTITION OF trades
         FOR VALUES FROM ('${date}') TO (('${date}'::date + 1))`,
      );
      this.partitions.add(date);
    }
  }

  private async updateSummaries(client: pg.PoolClient, stored: readonly StoredTrade[]): Promise<void> {
    if (stored.length === 0) return;
    const perDay = new Map<string, { symbol: string; date: string; trades: number }>();
    const perSymbol = new Map<string, { lastTimestamp: number; lastDate: string }>();
    // Batches from the bus come in runs of one symbol-day: look the entry up once per run.
    let day: { symbol: string; date: string; trades: number } | undefined;
    let summary: { lastTimestamp: number; lastDate: string } | undefined;
    let summarySymbol = '';
    for (const trade of stored) {
      if (day === undefined || day.symbol !== trade.symbol || day.date !== trade.date) {
        const key = `${trade.symbol}\u0000${trade.date}`;
        day = perDay.get(key);
        if (day === undefined) perDay.set(key, (day = { symbol: trade.symbol, date: trade.date, trades: 0 }));
      }
      day.trades++;
      if (summary === undefined || summarySymbol !== trade.symbol) {
        summarySymbol = trade.symbol;
        summary = perSymbol.get(trade.symbol);
        if (summary === undefined) perSymbol.set(trade.symbol, (summary = { lastTimestamp: trade.timestamp, lastDate: trade.date }));
      }
      if (trade.timestamp > summary.lastTimestamp) summary.lastTimestamp = trade.timestamp;
      if (trade.date > summary.lastDate) summary.lastDate = trade.date;
    }
    const days = [...perDay.values()];
    await client.query(
      `INSERT INTO symbol_days (symbol, date, trades) SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
       ON CONFLICT (symbol, date) DO UPDATE SET trades = symbol_days.trades + excluded.trades`,
      [days.map((d) => d.symbol), days.map((d) => d.date), days.map((d) => d.trades)],
    );
    const symbols = [...perSymbol];
    await client.query(
      `INSERT INTO symbols (symbol, last_ts, last_date) SELECT * FROM unnest($1::text[], $2::bigint[], $3::date[])
       ON CONFLICT (symbol) DO UPDATE SET last_ts = GREATEST(symbols.last_ts, excluded.last_ts),
                                          last_date = GREATEST(symbols.last_date, excluded.last_date)`,
      [symbols.map(([s]) => s), symbols.map(([, v]) => String(v.lastTimestamp)), symbols.map(([, v]) => v.lastDate)],
    );
  }

  async sourceState(sourceId: string): Promise<SourceState> {
    const { rows } = await this.pool.query<{ position: string; fingerprint: string | null }>(
      'SELECT position, fingerprint FROM sources WHERE source_id = $1',
      [sourceId],
    );
    if (!rows[0]) return { position: 0 };
    const position = Number(rows[0].position);
    return rows[0].fingerprint === null ? { position } : { position, fingerprint: rows[0].fingerprint };
  }

  async sourcePosition(sourceId: string): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM sources WHERE source_id = $1', [sourceId]);
    return rows[0] ? Number(rows[0].position) : 0;
  }

  /** A day's trades with `afterSeq < seq <= maxSeq` (default: all), in seq order. */
  async tradesOfDay(symbol: string, date: string, maxSeq?: number, afterSeq = 0): Promise<StoredTrade[]> {
    if (!ISO_DATE.test(date)) return [];
    const { rows } =
      maxSeq === undefined && afterSeq <= 0
        ? await this.pool.query<TradeRow>(`SELECT ${TRADE_COLUMNS} FROM trades WHERE symbol = $1 AND date = $2 ORDER BY seq`, [symbol, date])
        : await this.pool.query<TradeRow>(
            `SELECT ${TRADE_COLUMNS} FROM trades WHERE symbol = $1 AND date = $2 AND seq > $3 AND seq <= $4 ORDER BY seq`,
            [symbol, date, afterSeq, maxSeq ?? Number.MAX_SAFE_INTEGER],
          );
    return rows.map(rowToTrade);
  }

  async tradesAfter(afterSeq: number, limit: number): Promise<StoredTrade[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<TradeRow>(`SELECT ${TRADE_COLUMNS} FROM trades WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      afterSeq,
      Math.floor(limit),
    ]);
    return rows.map(rowToTrade);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ last: string }>('SELECT COALESCE(MAX(seq), 0) AS last FROM trades');
    return Number(rows[0]!.last);
  }

  async symbols(): Promise<string[]> {
    const { rows } = await this.pool.query<{ symbol: string }>('SELECT symbol FROM symbols ORDER BY symbol');
    return rows.map((r) => r.symbol);
  }

  async symbolSummaries(): Promise<SymbolSummary[]> {
    const { rows } = await this.pool.query<{ symbol: string; last_ts: string; last_date: string }>(
      'SELECT symbol, last_ts, last_date::text AS last_date FROM symbols ORDER BY symbol',
    );
    return rows.map((row) => ({ symbol: row.symbol, lastTimestamp: Number(row.last_ts), lastDate: row.last_date }));
  }

  async daysOf(symbol: string): Promise<SymbolDay[]> {
    const { rows } = await this.pool.query<{ symbol: string; date: string; trades: string }>(
      'SELECT symbol, date::text AS date, trades FROM symbol_days WHERE symbol = $1 ORDER BY date',
      [symbol],
    );
    return rows.map((row) => ({ symbol: row.symbol, date: row.date, trades: Number(row.trades) }));
  }

  /** Day partitions of the trades table, ascending (for operators and tests). */
  async dayPartitions(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT child.relname AS name FROM pg_inherits
         JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
         JOIN pg_class child ON child.oid = pg_inherits.inhrelid
         JOIN pg_namespace ns ON ns.oid = parent.relnamespace
       WHERE parent.relname = 'trades' AND ns.nspname = $1 ORDER BY child.relname`,
      [this.location.schema],
    );
    return rows.map((r) => r.name);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
