import type { AmountsByTier, History, Tiers } from '../contract/schemas.js';
import { groupAmount, table } from './flow-format.js';

/** A tier's amount by the tier's name (the conventions' tier lists name them). */
function amountOf(amounts: AmountsByTier, tier: string): string {
  return (amounts as Readonly<Record<string, string | undefined>>)[tier] ?? '';
}

const LABELS: Record<string, string> = { superLarge: 'super-large', large: 'large', medium: 'medium', small: 'small' };

function conventionNote(data: History | Tiers): string {
  const main = data.mainForce.map((tier) => LABELS[tier] ?? tier).join(' + ');
  const percentiles = data.percentiles
    ? `; percentile cut-offs ${groupAmount(data.percentiles.cutoffs.superLarge)} / ${groupAmount(data.percentiles.cutoffs.large)} / ${groupAmount(data.percentiles.cutoffs.medium)} from ${data.percentiles.trades} trades of ${data.percentiles.dates.length} day(s)`
    : '';
  return `convention ${data.convention} (main force = ${main}${percentiles})`;
}

/** History: one row per period, its start both as exchange-local ISO time and Unix seconds. */
export function historyTable(data: History): string {
  const rows: string[][] = [['period', 'start (local)', 'timestamp', 'days', `net inflow (${data.currency})`, 'main force', 'share %']];
  for (const period of data.periods) {
    rows.push([period.period, period.time, String(period.timestamp), String(period.tradingDays), groupAmount(period.inflow), groupAmount(period.mainForceNet), period.mainForceShare]);
  }
  const body = data.periods.length === 0 ? '(no trading days in the range)' : table(rows);
  return `${body}\n${data.symbol} ${data.from} … ${data.to} by ${data.period}, ${conventionNote(data)}\n`;
}

/** History as CSV: period start (date, Unix seconds, local ISO), then total, tiers and main force. */
export function historyCsv(data: History): string {
  const header = ['period', 'timestamp', 'time', 'trading_days', 'complete', 'inflow', ...data.tiers.map((tier) => `net_${tier}`), 'main_force_net', 'main_force_share'];
  const rows = data.periods.map((period) =>
    [period.period, String(period.timestamp), period.time, String(period.tradingDays), String(period.complete), period.inflow, ...data.tiers.map((tier) => amountOf(period.net, tier)), period.mainForceNet, period.mainForceShare].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

/** A day's tiers: in, out and net per tier, then main force and its share. */
export function tiersTable(data: Tiers): string {
  const rows: string[][] = [['tier', `in (${data.currency})`, 'out', 'net']];
  for (const tier of data.tiers) rows.push([LABELS[tier] ?? tier, groupAmount(amountOf(data.day.in, tier)), groupAmount(amountOf(data.day.out, tier)), groupAmount(amountOf(data.day.net, tier))]);
  rows.push(['total', '', '', groupAmount(data.day.inflow)]);
  const last = data.lines.at(-1);
  const asOf = last ? ` as of ${last.time} (${last.timestamp})` : '';
  return `${table(rows)}\n${data.symbol} ${data.date}${asOf}: main force ${groupAmount(data.day.mainForceNet)} ${data.currency}, ${data.day.mainForceShare} % of turnover; ${conventionNote(data)}\n`;
}

/** A day's tiers as CSV: one row per minute (cumulative figures), both time forms. */
export function tiersCsv(data: Tiers): string {
  const header = ['timestamp', 'time', 'inflow', ...data.tiers.flatMap((tier) => [`in_${tier}`, `out_${tier}`]), 'main_force_net', 'main_force_share'];
  const rows = data.lines.map((line) =>
    [String(line.timestamp), line.time, line.inflow, ...data.tiers.flatMap((tier) => [amountOf(line.in, tier), amountOf(line.out, tier)]), line.mainForceNet, line.mainForceShare].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
