import type BetterSqlite3 from 'better-sqlite3';
import { DuplicateAppKeyError, type CredentialRecord, type CredentialStore } from './credential-store.js';
import { openSqliteFile } from './sqlite-connection.js';

/** The tables live in the data directory's `capflow.db`, beside the trades (one file to back up). */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS credentials (
    app_key       TEXT    PRIMARY KEY,
    sealed_secret TEXT    NOT NULL,
    token_sha256  TEXT    NOT NULL,
    markets       TEXT    NOT NULL,
    connections   INTEGER NOT NULL,
    rate_limits   TEXT    NOT NULL,
    expires_at    INTEGER,
    ingest        INTEGER NOT NULL,
    bearer        INTEGER NOT NULL DEFAULT 0,
    streams       INTEGER,
    mcp_token_sha256 TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    revoked_at    INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS credential_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
  INSERT OR IGNORE INTO credential_revision (id, revision) VALUES (1, 0);
`;

/** Columns added after the first release, created on open for older files (name → definition). */
const ADDED_COLUMNS: ReadonlyArray<[string, string]> = [
  ['bearer', 'INTEGER NOT NULL DEFAULT 0'],
  ['streams', 'INTEGER'],
  ['mcp_token_sha256', 'TEXT'],
];

interface CredentialRow {
  app_key: string;
  sealed_secret: string;
  token_sha256: string;
  markets: string;
  connections: number;
  rate_limits: string;
  expires_at: number | null;
  ingest: number;
  bearer: number;
  streams: number | null;
  mcp_token_sha256: string | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}

function toRow(record: CredentialRecord): unknown[] {
  return [
    record.appKey,
    record.sealedSecret,
    record.tokenSha256,
    JSON.stringify(record.markets),
    record.connections,
    JSON.stringify(record.rateLimits),
    record.expiresAt,
    record.ingest ? 1 : 0,
    record.bearer === true ? 1 : 0,
    record.streams ?? null,
    record.mcpTokenSha256 ?? null,
    record.createdAt,
    record.updatedAt,
    record.revokedAt,
  ];
}

function fromRow(row: CredentialRow): CredentialRecord {
  return {
    appKey: row.app_key,
    sealedSecret: row.sealed_secret,
    tokenSha256: row.token_sha256,
    markets: JSON.parse(row.markets) as string[],
    connections: row.connections,
    rateLimits: JSON.parse(row.rate_limits) as CredentialRecord['rateLimits'],
    expiresAt: row.expires_at,
    ingest: row.ingest === 1,
    bearer: row.bearer === 1,
    streams: row.streams,
    mcpTokenSha256: row.mcp_token_sha256,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
  };
}

/** Credentials in the embedded store's SQLite file, shared by `serve` and `capflow credentials`. */
export class SqliteCredentialStore implements CredentialStore {
  private closed = false;
  private readonly insertRow: BetterSqlite3.Statement;
  private readonly replaceRow: BetterSqlite3.Statement;
  private readonly selectAll: BetterSqlite3.Statement;
  private readonly selectRevision: BetterSqlite3.Statement;
  private readonly bump: BetterSqlite3.Statement;

  private constructor(private readonly db: BetterSqlite3.Database) {
    this.insertRow = db.prepare(
      `INSERT INTO credentials (app_key, sealed_secret, token_sha256, markets, connections, rate_limits, expires_at, ingest, bearer, streams, mcp_token_sha256, created_at, updated_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_key) DO NOTHING`,
    );
    this.replaceRow = db.prepare(
      `UPDATE credentials SET sealed_secret = ?, token_sha256 = ?, markets = ?, connections = ?, rate_limits = ?,
         expires_at = ?, ingest = ?, bearer = ?, streams = ?, mcp_token_sha256 = ?, created_at = ?, updated_at = ?, revoked_at = ? WHERE app_key = ?`,
    );
    this.selectAll = db.prepare('SELECT * FROM credentials ORDER BY app_key');
    this.selectRevision = db.prepare('SELECT revision FROM credential_revision WHERE id = 1').pluck();
    this.bump = db.prepare('UPDATE credential_revision SET revision = revision + 1 WHERE id = 1');
  }

  /** Opens the credential tables in `dataDir/capflow.db`, creating them when needed. */
  static async open(dataDir: string, options: { busyTimeoutMs?: number } = {}): Promise<SqliteCredentialStore> {
    return openSqliteFile(dataDir, options.busyTimeoutMs, (db) => {
      db.transaction(() => {
        db.exec(SCHEMA);
        const present = new Set((db.prepare('PRAGMA table_info(credentials)').all() as Array<{ name: string }>).map((column) => column.name));
        for (const [name, definition] of ADDED_COLUMNS) if (!present.has(name)) db.exec(`ALTER TABLE credentials ADD COLUMN ${name} ${definition}`);
      }).immediate();
      return new SqliteCredentialStore(db);
    });
  }

  async insert(record: CredentialRecord): Promise<void> {
    this.db
      .transaction(() => {
        if (this.insertRow.run(...toRow(record)).changes === 0) throw new DuplicateAppKeyError(record.appKey);
        this.bump.run();
      })
      .immediate();
  }

  async replace(record: CredentialRecord): Promise<boolean> {
    return this.db
      .transaction(() => {
        const [appKey, ...fields] = toRow(record);
        if (this.replaceRow.run(...fields, appKey).changes === 0) return false;
        this.bump.run();
        return true;
      })
      .immediate();
  }

  async list(): Promise<CredentialRecord[]> {
    return (this.selectAll.all() as CredentialRow[]).map(fromRow);
  }

  async revision(): Promise<number> {
    return this.selectRevision.get() as number;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
