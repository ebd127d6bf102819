import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CapflowMetrics, METRIC_DEFINITIONS } from './capflow-metrics.js';
import { parsePrometheusText } from './prometheus-text.js';

const DOC = resolve(fileURLToPath(import.meta.url), '../../../../docs/operations.md');

/** Rows of the "Metrics reference" table: metric, type, labels, meaning. */
function documentedMetrics(): Array<{ name: string; type: string; labels: string[]; help: string }> {
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('## Metrics reference'), text.indexOf('\n## ', text.indexOf('## Metrics reference') + 1));
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z_]+` \|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return {
        name: cells[0]!.replace(/`/g, ''),
        type: cells[1]!,
        labels: cells[2] === '' ? [] : cells[2]!.split(',').map((label) => label.trim().replace(/`/g, '')),
        help: cells[3]!,
      };
    });
}

describe('docs/operations.md metrics reference', () => {
  it('lists exactly the metrics capflow registers, with their types, labels and meaning', async () => {
    const documented = documentedMetrics();
    assert.deepEqual(
      documented,
      METRIC_DEFINITIONS.map((definition) => ({ name: definition.name, type: definition.type, labels: [...definition.labels], help: definition.help })),
    );
    // And the definitions are what a live registry actually exposes.
    const { types, help } = parsePrometheusText(await new CapflowMetrics().render());
    for (const row of documented) {
      assert.equal(types.get(row.name), row.type, row.name);
      if (row.name.startsWith('capflow_')) assert.equal(help.get(row.name), row.help, row.name);
    }
    const registered = [...types.keys()].filter((name) => name.startsWith('capflow_'));
    assert.deepEqual(registered.sort(), documented.map((row) => row.name).filter((name) => name.startsWith('capflow_')).sort());
  });
});
