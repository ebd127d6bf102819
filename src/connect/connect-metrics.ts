import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric of `capflow connect` (docs/operations.md lists them). */
export const CONNECT_METRICS = [
  { name: 'capflow_connect_trades_recorded_total', type: 'counter', help: 'Upstream trades durably recorded (new to the target).' },
  { name: 'capflow_connect_duplicates_total', type: 'counter', help: 'Trades recorded again and skipped by the target (same derived trade id).' },
  { name: 'capflow_connect_rejected_total', type: 'counter', help: 'Upstream trades the ingest validation refused (logged with the reason).' },
  { name: 'capflow_connect_backfilled_total', type: 'counter', help: 'Trades recorded from a backfill (command 220 or QueryTrade) rather than a push.' },
  { name: 'capflow_connect_reconnects_total', type: 'counter', help: 'Reconnects to the upstream (a resumed session or a fresh one).' },
  { name: 'capflow_connect_gaps_total', type: 'counter', help: 'Gaps the backfill could not close (also logged): trades may be missing.' },
  { name: 'capflow_connect_gap_trades_total', type: 'counter', help: 'Trades known to be missing in those gaps (a gap of unknown size adds nothing).' },
  { name: 'capflow_connect_connected', type: 'gauge', help: '1 while connected and subscribed to the upstream.' },
  { name: 'capflow_connect_lag_seconds', type: 'gauge', help: 'From the arrival of the latest committed batch’s first trade to its commit.' },
  { name: 'capflow_connect_trade_age_seconds', type: 'gauge', help: 'Wall clock minus the time of the latest trade committed.' },
  { name: 'capflow_connect_commit_seconds', type: 'histogram', help: 'From a trade’s arrival to its durable commit, per batch.' },
  { name: 'capflow_connect_pending_trades', type: 'gauge', help: 'Trades received and not yet committed.' },
] as const;

const help = (name: (typeof CONNECT_METRICS)[number]['name']) => ({ name, help: CONNECT_METRICS.find((one) => one.name === name)!.help });

/** The connector's Prometheus metrics, in their own registry (served at `/metrics`). */
export class ConnectMetrics {
  readonly registry = new Registry();
  readonly recorded = new Counter({ ...help('capflow_connect_trades_recorded_total'), registers: [this.registry] });
  readonly duplicates = new Counter({ ...help('capflow_connect_duplicates_total'), registers: [this.registry] });
  readonly rejected = new Counter({ ...help('capflow_connect_rejected_total'), registers: [this.registry] });
  readonly backfilled = new Counter({ ...help('capflow_connect_backfilled_total'), registers: [this.registry] });
  readonly reconnects = new Counter({ ...help('capflow_connect_reconnects_total'), registers: [this.registry] });
  readonly gaps = new Counter({ ...help('capflow_connect_gaps_total'), registers: [this.registry] });
  readonly gapTrades = new Counter({ ...help('capflow_connect_gap_trades_total'), registers: [this.registry] });
  readonly connected = new Gauge({ ...help('capflow_connect_connected'), registers: [this.registry] });
  readonly lag = new Gauge({ ...help('capflow_connect_lag_seconds'), registers: [this.registry] });
  readonly tradeAge = new Gauge({ ...help('capflow_connect_trade_age_seconds'), registers: [this.registry] });
  readonly commitSeconds = new Histogram({
    ...help('capflow_connect_commit_seconds'),
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly pending = new Gauge({ ...help('capflow_connect_pending_trades'), registers: [this.registry] });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** A value of a metric without labels (tests, the progress line). */
  async value(name: (typeof CONNECT_METRICS)[number]['name']): Promise<number> {
    const metric = await this.registry.getSingleMetric(name)?.get();
    if (!metric) return Number.NaN;
    const values = metric.values as { value: number; metricName?: string }[];
    const count = values.find((one) => one.metricName?.endsWith('_count'));
    return (count ?? values[0])?.value ?? 0;
  }
}
