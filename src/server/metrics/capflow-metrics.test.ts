import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapflowMetrics } from './capflow-metrics.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

describe('CapflowMetrics request counts', () => {
  it('counts answered requests by command, status and code, and rate-limit refusals, at every scrape', async () => {
    const metrics = new CapflowMetrics();
    for (let i = 0; i < 1000; i++) metrics.requestDone(24, 0, 0);
    for (let i = 0; i < 3; i++) metrics.requestDone(24, 3, 301606);
    metrics.requestDone(25, 3, 301606);
    metrics.requestDone(24, 7, 301604);
    metrics.requestDone(300, 3, -1); // outside the packed key's range: still counted
    let { samples } = parsePrometheusText(await metrics.render());
    const requests = (command: string, status: string, code: string): number | undefined =>
      sampleValue(samples, 'capflow_requests_total', { command, status, code });
    assert.equal(requests('24', '0', '0'), 1000);
    assert.equal(requests('24', '3', '301606'), 3);
    assert.equal(requests('25', '3', '301606'), 1);
    assert.equal(requests('24', '7', '301604'), 1);
    assert.equal(requests('300', '3', '-1'), 1);
    assert.equal(sampleValue(samples, 'capflow_rate_limit_refusals_total', { command: '24' }), 3);
    assert.equal(sampleValue(samples, 'capflow_rate_limit_refusals_total', { command: '25' }), 1);

    metrics.requestDone(24, 0, 0);
    metrics.requestDone(24, 3, 301606);
    ({ samples } = parsePrometheusText(await metrics.render()));
    assert.equal(requests('24', '0', '0'), 1001, 'a second scrape sees the running totals, not the increments');
    assert.equal(sampleValue(samples, 'capflow_rate_limit_refusals_total', { command: '24' }), 4);
  });
});
