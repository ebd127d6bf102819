import type { ContractRouter } from '../contract-router.js';
import type { CapflowMetrics } from '../../metrics/capflow-metrics.js';

/** A named readiness condition of `/readyz` (store open, calendars loaded, bus connected…). */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OperationsRoutesOptions {
  metrics: CapflowMetrics;
  readiness: Readonly<Record<string, ReadinessCheck>>;
  /** False once shutdown began: /readyz answers 503 so load balancers move away first. */
  accepting: () => boolean;
  /** A check that has not answered within this is false (default 2 s), so /readyz never hangs. */
  readinessTimeoutMs?: number;
}

/** A check's answer, false when it throws or takes longer than `ms` (a database that hangs). */
async function checkWithin(check: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`, `/metrics` (Prometheus text) and `/readyz` (every check true → 200, else 503 naming the failures; checks run together, each bounded). */
export function registerOperationsRoutes(routes: ContractRouter, options: OperationsRoutesOptions): void {
  routes.envelope('health', () => ({ status: 'ok' as const }));
  routes.raw('metrics', async (_call, response) => {
    const text = await options.metrics.render();
    response.writeHead(200, { 'content-type': options.metrics.contentType, 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
  routes.raw('readiness', async (_call, response) => {
    const checks: Record<string, boolean> = { accepting: options.accepting() };
    const names = Object.keys(options.readiness);
    const results = await Promise.all(names.map((name) => checkWithin(options.readiness[name]!, options.readinessTimeoutMs ?? 2000)));
    names.forEach((name, k) => (checks[name] = results[k]!));
    const ready = Object.values(checks).every(Boolean);
    const text = JSON.stringify({ status: ready ? 'ready' : 'not ready', checks });
    response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
}
