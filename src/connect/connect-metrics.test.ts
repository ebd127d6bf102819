import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConnectMetrics, CONNECT_METRICS } from './connect-metrics.js';

const DOC = resolve(fileURLToPath(import.meta.url), '../../../docs/operations.md');

describe('docs/operations.md: metrics of capflow connect', () => {
  it('lists exactly the metrics the connector registers, with their types and meaning', async () => {
    const text = readFileSync(DOC, 'utf8');
    const start = text.indexOf('### Metrics of `capflow connect`');
    const section = text.slice(start, text.indexOf('\n## ', start));
    const documented = section
      .split('\n')
      .filter((line) => /^\| `capflow_connect_[a-z_]+` \|/.test(line))
      .map((line) => {
        const [name, type, help] = line.split('|').slice(1, -1).map((cell) => cell.trim());
        return { name: name!.replace(/`/g, ''), type: type!, help: help! };
      });
    assert.deepEqual(documented, CONNECT_METRICS.map((one) => ({ name: one.name, type: one.type, help: one.help })));
    const registered = await new ConnectMetrics().registry.getMetricsAsJSON();
    assert.deepEqual(
      registered.map((one) => ({ name: one.name, type: String(one.type) })),
      CONNECT_METRICS.map((one) => ({ name: one.name, type: one.type })),
    );
  });
});
