/**
 * A throwaway `nats-server -js` for fault tests: its own port and store directory, so a test can
 * stop it, kill it, restart it on the same port with the same store (or a fresh one) without
 * touching the machine's NATS. Skipped (with the reason) where no nats-server binary exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS_SERVER = process.env['CAPFLOW_TEST_NATS_SERVER'] ?? ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find(existsSync);

/** The `skip` option of a describe that starts its own nats-server: a reason, or false to run. */
export const NATS_SERVER_SKIPPED: string | false = NATS_SERVER === undefined ? 'no nats-server binary (set CAPFLOW_TEST_NATS_SERVER)' : false;

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export class ThrowawayNats {
  private child: ChildProcess | undefined;
  private readonly dirs: string[] = [];

  private constructor(
    readonly port: number,
    private storeDir: string,
  ) {
    this.dirs.push(storeDir);
  }

  /** Starts a JetStream server on a free port with a new store directory. */
  static async start(): Promise<ThrowawayNats> {
    const nats = new ThrowawayNats(await freePort(), mkdtempSync(join(tmpdir(), 'capflow-nats-')));
    await nats.launch();
    return nats;
  }

  /** `nats://127.0.0.1:PORT`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  private async launch(): Promise<void> {
    const child = spawn(NATS_SERVER!, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`nats-server did not start within 15 s: ${output}`)), 15_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          ready();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`nats-server exited (${code}): ${output}`));
      });
    });
    child.stderr!.removeAllListeners('data');
    child.stderr!.resume();
    child.removeAllListeners('exit');
  }

  /** Stops the server: SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once it exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill(signal);
    await exited;
  }

  /** Starts it again on the same port, with its store (`freshStore`: an empty one — every stream lost). */
  async start(options: { readonly freshStore?: boolean } = {}): Promise<void> {
    if (this.child) throw new Error('nats-server is running');
    if (options.freshStore) {
      this.storeDir = mkdtempSync(join(tmpdir(), 'capflow-nats-'));
      this.dirs.push(this.storeDir);
    }
    await this.launch();
  }

  /** Stops the server and removes its store directories. */
  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
