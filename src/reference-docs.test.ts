/** The generated parts of docs/rest.md and docs/cli.md are what the code generates today. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMAND_SPECS } from './cli/main.js';
import { Endpoint } from './contract/endpoints.js';
import { GENERATED_PAGES, withGenerated } from './reference-docs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated reference docs', () => {
  for (const { file, generate } of GENERATED_PAGES) {
    it(`${file} is current (npm run docs rewrites it)`, () => {
      const page = readFileSync(resolve(ROOT, file), 'utf8');
      assert.equal(page, withGenerated(page, generate()), `${file} is stale: run npm run docs`);
    });
  }

  it('the REST reference names every endpoint and the CLI reference every command', () => {
    const rest = readFileSync(resolve(ROOT, 'docs/rest.md'), 'utf8');
    for (const { method, path } of Object.values(Endpoint)) assert.ok(rest.includes(`### \`${method} ${path}\``), `${method} ${path}`);
    const cli = readFileSync(resolve(ROOT, 'docs/cli.md'), 'utf8');
    for (const spec of COMMAND_SPECS) assert.ok(cli.includes(`### \`capflow ${spec.name}\``), spec.name);
  });

  it('docs link only to pages that exist in the repository', () => {
    for (const page of ['README.md', 'BENCHMARKS.md', 'RELIABILITY.md', ...readdirOf('docs').map((name) => `docs/${name}`)]) {
      const text = readFileSync(resolve(ROOT, page), 'utf8');
      for (const match of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        assert.ok(existsSync(resolve(ROOT, dirname(page), target)), `${page} links to ${target}`);
      }
      assert.ok(!/\.\.\/shared|\/work\//.test(text), `${page} points outside the repository`);
    }
  });
});

function readdirOf(dir: string): string[] {
  return readdirSync(resolve(ROOT, dir)).filter((name) => name.endsWith('.md'));
}
