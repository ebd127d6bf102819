import type pg from 'pg';

/**
 * Schema of the PostgreSQL store (and of the state gateways share), as an ordered list of
 * migrations applied inside one schema. `schema_version` holds the number applied; a migration
 * runs under a transaction-scoped advisory lock, so gateways and workers starting at once
 * cannot both migrate.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: trades partitioned by trading day, per-day counts, per-symbol summaries, source
  //    checkpoints, and the state a fleet of gateways shares (one-time passwords, sessions,
  //    rate-limit buckets).
  `
  CREATE TABLE trades (
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    symbol     text    NOT NULL,
    date       date    NOT NULL,
    ts         bigint  NOT NULL,
    price      numeric NOT NULL,
    volume     bigint  NOT NULL,
    direction  smallint CHECK (direction IN (0, 1, 2)),
    trade_id   text,
    bid        numeric,
    ask        numeric,
    trade_type text
  ) PARTITION BY RANGE (date);
  -- NULL trade ids are distinct, so trades without an id are never duplicates.
  CREATE UNIQUE INDEX trades_by_trade_id ON trades (symbol, date, trade_id);
  CREATE INDEX trades_by_day ON trades (symbol, date, seq);
  CREATE INDEX trades_by_seq ON trades (seq);
  CREATE TABLE symbol_days (
    symbol text   NOT NULL,
    date   date   NOT NULL,
    trades bigint NOT NULL,
    PRIMARY KEY (symbol, date)
  );
  CREATE TABLE symbols (
    symbol    text   PRIMARY KEY,
    last_ts   bigint NOT NULL,
    last_date date   NOT NULL
  );
  CREATE TABLE sources (
    source_id  text   PRIMARY KEY,
    position   bigint NOT NULL,
    updated_ms bigint NOT NULL
  );
  CREATE TABLE gateway_otps (
    otp        text   PRIMARY KEY,
    app_key    text   NOT NULL,
    expires_ms bigint NOT NULL
  );
  CREATE INDEX gateway_otps_by_expiry ON gateway_otps (expires_ms);
  CREATE TABLE gateway_sessions (
    id         text   PRIMARY KEY,
    app_key    text   NOT NULL,
    expires_ms bigint NOT NULL
  );
  CREATE INDEX gateway_sessions_by_expiry ON gateway_sessions (expires_ms);
  CREATE TABLE gateway_rate_buckets (
    principal  text             NOT NULL,
    command    integer          NOT NULL,
    tokens     double precision NOT NULL,
    updated_ms bigint           NOT NULL,
    PRIMARY KEY (principal, command)
  );
  `,
  // 2: live connections across the fleet (each gateway renews a lease; the rows of a gateway
  //    whose lease lapsed stop counting), and the fleet's shared demo credential.
  `
  CREATE TABLE gateway_instances (
    id             text   PRIMARY KEY,
    alive_until_ms bigint NOT NULL
  );
  CREATE TABLE gateway_connections (
    gateway_id text    NOT NULL,
    conn_id    bigint  NOT NULL,
    app_key    text    NOT NULL,
    session_id text    NOT NULL,
    -- Set when the session was resumed elsewhere: no longer counted, the holder must close it.
    moved      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (gateway_id, conn_id)
  );
  CREATE INDEX gateway_connections_by_app_key ON gateway_connections (app_key);
  CREATE INDEX gateway_connections_by_session ON gateway_connections (session_id);
  CREATE TABLE gateway_demo_credential (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    app_key      text NOT NULL,
    app_secret   text NOT NULL,
    access_token text NOT NULL
  );
  `,
  // 3: how each trade's side was or is to be decided (as SQLite's migration 2); NULL for trades
  //    stored before, which mean the feed's side when given, else Lee–Ready.
  `
  ALTER TABLE trades ADD COLUMN classification text;
  `,
  // 4: credentials managed by `capflow credentials … --store postgres://…` (token as SHA-256,
  //    secret sealed; `credential_revision` is bumped with every write and polled by gateways),
  //    and the lines and summaries of days whose raw trades retention deleted.
  `
  CREATE TABLE credentials (
    app_key       text    PRIMARY KEY,
    sealed_secret text    NOT NULL,
    token_sha256  text    NOT NULL,
    markets       jsonb   NOT NULL,
    connections   integer NOT NULL,
    rate_limits   jsonb   NOT NULL,
    expires_at    bigint,
    ingest        boolean NOT NULL,
    created_at    bigint  NOT NULL,
    updated_at    bigint  NOT NULL,
    revoked_at    bigint
  );
  CREATE TABLE credential_revision (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision  bigint  NOT NULL
  );
  INSERT INTO credential_revision (revision) VALUES (0);
  CREATE TABLE archived_days (
    symbol      text   NOT NULL,
    date        date   NOT NULL,
    trades      bigint NOT NULL,
    inflow      text   NOT NULL,
    lines       jsonb  NOT NULL,
    summary     jsonb  NOT NULL,
    archived_at bigint NOT NULL,
    PRIMARY KEY (symbol, date)
  );
  `,
  // 5: the fingerprint of a source's content (as SQLite's migration 4): an HTTP body under an
  //    Idempotency-Key records the hash of its format and bytes, and the key reused for another
  //    body is refused.
  `
  ALTER TABLE sources ADD COLUMN fingerprint text;
  `,
  // 6: the credential generation each one-time password and session was issued under (a
  //    rotation or revocation voids everything issued before it; rows of older gateways carry ''
  //    and are refused, so their clients authenticate again), both indexed by app key so a
  //    credential's rows go at once; OAuth bearer mode and the SSE stream limit of stored
  //    credentials.
  `
  ALTER TABLE gateway_otps ADD COLUMN generation text NOT NULL DEFAULT '';
  ALTER TABLE gateway_sessions ADD COLUMN generation text NOT NULL DEFAULT '';
  CREATE INDEX gateway_otps_by_app_key ON gateway_otps (app_key);
  CREATE INDEX gateway_sessions_by_app_key ON gateway_sessions (app_key);
  ALTER TABLE credentials ADD COLUMN bearer boolean NOT NULL DEFAULT false;
  ALTER TABLE credentials ADD COLUMN streams integer;
  `,
  // 7: the MCP token of stored credentials (as SHA-256, like the access token; opens /mcp only).
  `
  ALTER TABLE credentials ADD COLUMN mcp_token_sha256 text;
  `,
  // 8: served days' engine states (as SQLite's migration 5): a restarted gateway reads a day's
  //    snapshot plus the trades stored after its seq instead of replaying the whole day.
  `
  CREATE TABLE day_snapshots (
    symbol text   NOT NULL,
    date   date   NOT NULL,
    seq    bigint NOT NULL,
    data   bytea  NOT NULL,
    PRIMARY KEY (symbol, date)
  );
  `,
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** Quotes an SQL identifier (schema names come from configuration). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Name of the day partition holding `date` (`YYYY-MM-DD`). */
export function partitionName(date: string): string {
  return `trades_${date.replaceAll('-', '')}`;
}

/** Creates the schema when missing and applies the missing migrations; returns the version. */
export async function migratePostgres(client: pg.ClientBase, schema: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('capflow-migrate:' || $1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (current > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `schema ${schema}: version ${current} is newer than this capflow understands (${POSTGRES_MIGRATIONS.length}); upgrade capflow`,
      );
    }
    for (let version = current; version < POSTGRES_MIGRATIONS.length; version++) {
      await client.query(POSTGRES_MIGRATIONS[version] as string);
    }
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [POSTGRES_MIGRATIONS.length]);
    else if (current !== POSTGRES_MIGRATIONS.length) await client.query('UPDATE schema_version SET version = $1', [POSTGRES_MIGRATIONS.length]);
    await client.query('COMMIT');
    return POSTGRES_MIGRATIONS.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
