/**
 * Help is generated from the same option table the parser uses: every flag a command accepts is
 * listed by its `--help`, and every listed flag is accepted. `--version` prints the package's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { commandSpecs, main } from './main.js';

const COMMAND_SPECS = await commandSpecs();

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) => ({ write: (chunk: string | Uint8Array) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
  const code = await main(argv, { stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)), isTTY: false });
  return { code, stdout, stderr };
}

/** Commands whose first word is an action (`credentials list …`). */
const LEADING_ARGS: Record<string, string[]> = { credentials: ['list'] };

describe('capflow help and version', () => {
  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await run([flag]);
      assert.equal(code, 0);
      assert.equal(stdout, `capflow ${version}\n`);
    }
  });

  it('lists every command in the overview', async () => {
    const { code, stdout } = await run(['--help']);
    assert.equal(code, 0);
    for (const spec of COMMAND_SPECS) assert.match(stdout, new RegExp(`^  ${spec.name} +\\S`, 'm'), spec.name);
    const unknown = await run(['no-such-command']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "no-such-command"/);
  });

  for (const spec of COMMAND_SPECS) {
    it(`${spec.name}: --help lists every option it accepts, and it accepts every option listed`, async () => {
      const help = await run([spec.name, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: capflow ${spec.name}`));
      const lead = LEADING_ARGS[spec.name] ?? [];
      for (const [name, option] of Object.entries(spec.options)) {
        assert.ok(option.description.length > 0, `--${name} has a description`);
        assert.match(help.stdout, new RegExp(`^ +(-\\w, )?--${name}\\b`, 'm'), `--${name} is listed`);
        // Parsed before help is looked at: a flag missing from the parser's table exits 2.
        const args = option.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`];
        const accepted = await run([spec.name, ...lead, ...args, '--help']);
        assert.equal(accepted.code, 0, `${spec.name} accepts --${name}: ${accepted.stderr}`);
      }
      const rejected = await run([spec.name, ...lead, '--no-such-flag']);
      assert.equal(rejected.code, 2);
      assert.match(rejected.stderr, /no-such-flag/);
    });
  }

  it('serve --help shows the flags serve takes', async () => {
    const { stdout } = await run(['serve', '--help']);
    for (const flag of ['--data', '--config', '--port', '--tcp-port', '--clock', '--store', '--bus', '--demo', '--seed', '--web-credential', '--retain-trades-days', '--log-level', '--poll-ms', '--snapshot-ms']) {
      assert.ok(stdout.includes(flag), `${flag} in serve --help`);
    }
  });
});
