import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { decimalToString } from '../model/decimal.js';
import type { TradeToStore } from './flow-store.js';

/**
 * A session's staging table for large appends: rows arrive with `COPY … FROM STDIN` (text
 * format: no per-value parameter encoding, parsed by the server in one pass) and are then moved
 * into `trades` with one `INSERT … SELECT`. Temporary, so it writes no WAL and no other session
 * sees it; its rows go at the end of each transaction.
 */
export const STAGING_TABLE = 'capflow_staged_trades';

const CREATE_STAGING = `CREATE TEMPORARY TABLE IF NOT EXISTS ${STAGING_TABLE} (
  ord bigint NOT NULL, symbol text NOT NULL, date date NOT NULL, ts bigint NOT NULL, price numeric NOT NULL,
  volume bigint NOT NULL, direction smallint, trade_id text, bid numeric, ask numeric, trade_type text, classification text
) ON COMMIT DELETE ROWS`;

const COPY_STAGING = `COPY ${STAGING_TABLE} (ord, symbol, date, ts, price, volume, direction, trade_id, bid, ask, trade_type, classification) FROM STDIN`;

/** Sessions known to hold the staging table (it lives as long as the connection). */
const staged = new WeakSet<pg.ClientBase>();

/** Characters that COPY's text format escapes with a backslash. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A text value in COPY text format (`\N` is NULL). */
function copyText(value: string | undefined): string {
  if (value === undefined) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Lines of the batch in COPY text format, in chunks of about 1 MB. */
export function* copyLines(batch: readonly TradeToStore[]): Generator<string> {
  let chunk = '';
  for (let ord = 0; ord < batch.length; ord++) {
    const { trade, date } = batch[ord]!;
    chunk +=
      `${ord}\t${copyText(trade.symbol)}\t${date}\t${trade.timestamp}\t${decimalToString(trade.price)}\t${trade.volume}\t` +
      `${trade.direction ?? '\\N'}\t${copyText(trade.tradeId)}\t${trade.bid === undefined ? '\\N' : decimalToString(trade.bid)}\t` +
      `${trade.ask === undefined ? '\\N' : decimalToString(trade.ask)}\t${copyText(trade.tradeType)}\t${copyText(trade.classification)}\n`;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Copies the batch into the session's staging table (inside the caller's transaction), row
 * `ord` k being the batch's k-th trade. Gives up after `timeoutMs` (0: never) with the driver's
 * own timeout error, closing the connection (a COPY cannot be abandoned on a server that does
 * not answer), so the caller discards it as after any timed-out query.
 */
export async function stageTrades(client: pg.PoolClient, batch: readonly TradeToStore[], timeoutMs: number): Promise<void> {
  if (!staged.has(client)) await client.query(CREATE_STAGING);
  const stream = client.query(copyFrom(COPY_STAGING));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (timeoutMs <= 0) return;
    timer = setTimeout(() => {
      reject(new Error('Query read timeout'));
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }, timeoutMs);
  });
  timedOut.catch(() => undefined);
  try {
    const finished = once(stream, 'finish');
    finished.catch(() => undefined);
    for (const chunk of copyLines(batch)) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), finished, timedOut]);
    }
    stream.end();
    await Promise.race([finished, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records, after a commit, that the session holds the staging table. */
export function stagingCommitted(client: pg.ClientBase): void {
  staged.add(client);
}
