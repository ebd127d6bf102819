/**
 * A throwaway PostgreSQL server for fault tests: `initdb` into a temporary directory and
 * `pg_ctl` on a free port, so a test can stop it, crash it, restart it or kill its backends
 * without touching the machine's database. PostgreSQL refuses to run as root; when the tests
 * run as root the binaries run as the `postgres` user (`runuser`), which owns the directory.
 * Skipped (with the reason) where no PostgreSQL binaries are found.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createServer } from 'node:net';

const run = promisify(execFile);

/** A port free right now on 127.0.0.1 (the server started next takes it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}


function findBinDir(): string | undefined {
  const configured = process.env['CAPFLOW_TEST_PG_BIN'];
  if (configured) return configured;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const BIN = findBinDir();
const AS_ROOT = process.getuid?.() === 0;

/** The `skip` option of a describe that starts its own PostgreSQL: a reason, or false to run. */
export const POSTGRES_SERVER_SKIPPED: string | false =
  BIN === undefined
    ? 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin (set CAPFLOW_TEST_PG_BIN)'
    : AS_ROOT && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')
      ? 'running as root without runuser to start PostgreSQL as the postgres user'
      : false;

/** Runs a PostgreSQL binary, as `postgres` when this process is root. */
async function pgBinary(name: string, args: readonly string[]): Promise<string> {
  const path = join(BIN!, name);
  const [file, argv] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  const { stdout } = await run(file, argv, { timeout: 60_000 });
  return stdout;
}

export class ThrowawayPostgres {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** `initdb` (trust authentication, no fsync) and start on a free port. */
  static async start(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'capflow-pg-'));
    if (AS_ROOT) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await pgBinary('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const server = new ThrowawayPostgres(await freePort(), dir);
    await server.start();
    return server;
  }

  /** `postgres://postgres@127.0.0.1:PORT/postgres`, with capflow's schema parameter and any others. */
  url(params: Record<string, string> = {}): string {
    const url = new URL(`postgres://postgres@127.0.0.1:${this.port}/postgres`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    await pgBinary('pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
    this.running = true;
  }

  /**
   * Stops the server: `fast` disconnects every client and shuts down cleanly (a planned restart),
   * `immediate` aborts without a checkpoint (a crash; recovery runs at the next start).
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await pgBinary('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
  }

  /**
   * Kills the backends serving other connections (`pg_terminate_backend`), optionally only
   * those of one `application_name`; returns how many.
   */
  async terminateBackends(applicationName?: string): Promise<number> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      const { rows } = await client.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND ($1::text IS NULL OR application_name = $1)`,
        [applicationName ?? null],
      );
      return rows.filter((r) => r.killed).length;
    } finally {
      await client.end();
    }
  }

  /** The server's processes: the postmaster (from postmaster.pid) and its children. */
  private processes(): number[] {
    const postmaster = Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // Field 4 of /proc/PID/stat is the parent pid (after the parenthesised command name).
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing answers, as in a network partition. */
  freeze(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGSTOP');
  }

  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGCONT');
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    if (this.running) {
      try {
        this.thaw();
      } catch {
        // not running any more
      }
    }
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
