import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ConnectionLedger } from './connection-ledger.js';
import { silentLogger, type Logger } from '../../logging/logger.js';

/** NOTIFY channel telling a gateway that one of its connections' sessions moved elsewhere. */
export const SESSION_MOVED_CHANNEL = 'capflow_sessions_moved';

export interface PostgresConnectionLedgerOptions {
  /** This gateway's id in the fleet (default: a random UUID, so a restart is a new gateway). */
  readonly gatewayId?: string;
  /** How often the gateway renews its lease and sweeps lapsed gateways (default 10 s). */
  readonly heartbeatMs?: number;
  /** How long the connections of a gateway that stopped renewing keep counting (default 30 s). */
  readonly leaseMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Held {
  readonly appKey: string;
  readonly sessionId: string;
}

/**
 * The fleet's live connections in PostgreSQL (`gateway_connections`, one row per connection,
 * with the gateway that holds it). Each gateway renews a lease in `gateway_instances`; rows of a
 * gateway whose lease lapsed (it crashed or lost the database) stop counting and are swept by
 * the others. An admission is one transaction under a per-credential advisory lock, so two
 * gateways never both take the last place. A resumed session marks the old holder's row
 * `moved` and notifies its gateway (LISTEN/NOTIFY, delivered on commit); each heartbeat also
 * looks for moved rows, so a notice lost while the listening connection was down still closes
 * the old connection within one heartbeat.
 */
export class PostgresConnectionLedger implements ConnectionLedger {
  readonly gatewayId: string;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** This gateway's rows, to re-register them after its lease lapsed. */
  private readonly held = new Map<number, Held>();
  private readonly movedListeners = new Set<(connectionId: number, sessionId: string) => void>();
  private listener: pg.PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresConnectionLedgerOptions = {},
  ) {
    this.gatewayId = options.gatewayId ?? randomUUID();
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.renewLease();
    await this.listen();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.detach();
    await this.beating?.catch(() => undefined);
    this.held.clear();
    try {
      await this.pool.query('DELETE FROM gateway_connections WHERE gateway_id = $1', [this.gatewayId]);
      await this.pool.query('DELETE FROM gateway_instances WHERE id = $1', [this.gatewayId]);
    } catch (error) {
      this.logger.error({ err: error, gateway: this.gatewayId }, 'removing this gateway from the connection ledger failed (its lease will lapse)');
    }
  }

  /**
   * Stops renewing and listening but leaves this gateway's rows, as a crash would (tests; the
   * rows stop counting once the lease lapses).
   */
  detach(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      listener.removeAllListeners('notification');
      listener.query(`UNLISTEN ${SESSION_MOVED_CHANNEL}`).then(
        () => listener.release(),
        () => listener.release(true),
      );
    }
  }

  onMoved(listener: (connectionId: number, sessionId: string) => void): void {
    this.movedListeners.add(listener);
  }

  async admit(connectionId: number, appKey: string, sessionId: string, limit: number): Promise<number | undefined> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('capflow-connections:' || current_schema() || ':' || $1))", [appKey]);
        // The session's previous holder (anywhere) stops counting; its gateway hears it on commit.
        await client.query(
          `WITH moved AS (
             UPDATE gateway_connections SET moved = true
             WHERE session_id = $1 AND NOT moved AND NOT (gateway_id = $2 AND conn_id = $3)
             RETURNING gateway_id, conn_id, session_id)
           SELECT pg_notify($4, json_build_object('g', gateway_id, 'c', conn_id, 's', session_id)::text) FROM moved`,
          [sessionId, this.gatewayId, connectionId, SESSION_MOVED_CHANNEL],
        );
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM gateway_connections c JOIN gateway_instances g ON g.id = c.gateway_id
           WHERE c.app_key = $1 AND NOT c.moved AND g.alive_until_ms > $2 AND NOT (c.gateway_id = $3 AND c.conn_id = $4)`,
          [appKey, this.now(), this.gatewayId, connectionId],
        );
        const others = Number(rows[0]?.n ?? 0);
        if (others >= limit) {
          await client.query('ROLLBACK');
          return undefined;
        }
        await client.query(
          `INSERT INTO gateway_connections (gateway_id, conn_id, app_key, session_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (gateway_id, conn_id) DO UPDATE SET app_key = EXCLUDED.app_key, session_id = EXCLUDED.session_id, moved = false`,
          [this.gatewayId, connectionId, appKey, sessionId],
        );
        await client.query('COMMIT');
        this.held.set(connectionId, { appKey, sessionId });
        return others + 1;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  release(connectionId: number): void {
    this.held.delete(connectionId);
    this.pool
      .query('DELETE FROM gateway_connections WHERE gateway_id = $1 AND conn_id = $2', [this.gatewayId, connectionId])
      .catch((error: unknown) => this.logger.error({ err: error, conn: connectionId }, 'releasing a connection in the ledger failed (its row is swept when this gateway stops)'));
  }

  async online(appKey: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM gateway_connections c JOIN gateway_instances g ON g.id = c.gateway_id
       WHERE c.app_key = $1 AND NOT c.moved AND g.alive_until_ms > $2`,
      [appKey, this.now()],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.heartbeat()
        .catch((error: unknown) => this.logger.error({ err: error, gateway: this.gatewayId }, 'connection ledger heartbeat failed'))
        .finally(() => {
          this.beating = undefined;
          this.schedule();
        });
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** Renews the lease, closes connections whose sessions moved, sweeps lapsed gateways. */
  private async heartbeat(): Promise<void> {
    await this.renewLease();
    if (!this.listener && !this.stopped) await this.listen().catch((error: unknown) => this.logger.error({ err: error }, 'listening for moved sessions failed'));
    const { rows } = await this.pool.query<{ conn_id: string; session_id: string }>(
      'SELECT conn_id, session_id FROM gateway_connections WHERE gateway_id = $1 AND moved',
      [this.gatewayId],
    );
    for (const row of rows) this.moved(Number(row.conn_id), row.session_id);
    const now = this.now();
    await this.pool.query(
      `DELETE FROM gateway_connections c WHERE NOT EXISTS
         (SELECT 1 FROM gateway_instances g WHERE g.id = c.gateway_id AND g.alive_until_ms > $1)`,
      [now],
    );
    await this.pool.query('DELETE FROM gateway_instances WHERE alive_until_ms < $1', [now - 3_600_000]);
  }

  /** Extends this gateway's lease; after a lapse (or at start) registers its live connections again. */
  private async renewLease(): Promise<void> {
    const now = this.now();
    const renewed = await this.pool.query('UPDATE gateway_instances SET alive_until_ms = $2 WHERE id = $1 AND alive_until_ms > $3', [
      this.gatewayId,
      now + this.leaseMs,
      now,
    ]);
    if (renewed.rowCount === 1) return;
    await this.pool.query(
      `INSERT INTO gateway_instances (id, alive_until_ms) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET alive_until_ms = EXCLUDED.alive_until_ms`,
      [this.gatewayId, now + this.leaseMs],
    );
    if (this.held.size === 0) return;
    const ids = [...this.held.keys()];
    await this.pool.query(
      `INSERT INTO gateway_connections (gateway_id, conn_id, app_key, session_id)
       SELECT $1, conn_id, app_key, session_id FROM unnest($2::bigint[], $3::text[], $4::text[]) AS held (conn_id, app_key, session_id)
       ON CONFLICT (gateway_id, conn_id) DO NOTHING`,
      [this.gatewayId, ids, ids.map((id) => this.held.get(id)!.appKey), ids.map((id) => this.held.get(id)!.sessionId)],
    );
    this.logger.warn({ gateway: this.gatewayId, connections: ids.length }, 'the lease of this gateway had lapsed; its connections were registered again');
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    client.on('error', (error) => {
      this.logger.error({ err: error }, 'the connection listening for moved sessions failed; listening again at the next heartbeat');
      if (this.listener !== client) return;
      this.listener = undefined;
      client.release(true);
    });
    client.on('notification', (message) => {
      if (message.channel !== SESSION_MOVED_CHANNEL || !message.payload) return;
      let notice: { g?: unknown; c?: unknown; s?: unknown };
      try {
        notice = JSON.parse(message.payload) as typeof notice;
      } catch {
        return;
      }
      if (notice.g === this.gatewayId && typeof notice.c === 'number' && typeof notice.s === 'string') this.moved(notice.c, notice.s);
    });
    try {
      await client.query(`LISTEN ${SESSION_MOVED_CHANNEL}`);
    } catch (error) {
      client.release(true);
      throw error;
    }
    if (this.stopped) {
      client.release();
      return;
    }
    this.listener = client;
  }

  private moved(connectionId: number, sessionId: string): void {
    for (const listener of this.movedListeners) {
      try {
        listener(connectionId, sessionId);
      } catch (error) {
        this.logger.error({ err: error, conn: connectionId, session: sessionId }, 'closing a moved connection failed');
      }
    }
    // Not (or no longer) held here: drop the row so it is not reported again.
    if (!this.held.has(connectionId)) {
      this.pool
        .query('DELETE FROM gateway_connections WHERE gateway_id = $1 AND conn_id = $2 AND moved', [this.gatewayId, connectionId])
        .catch((error: unknown) => this.logger.error({ err: error, conn: connectionId }, 'removing a moved connection from the ledger failed'));
    }
  }
}
