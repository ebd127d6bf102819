import type { Static, TObject } from '@sinclair/typebox';
import type { ConventionName, HistoryPeriodName, Market } from '../contract/schemas.js';
import type { CapflowApi } from './capflow-api.js';
import {
  CapitalFlowInput,
  CapitalFlowOutput,
  DistributionInput,
  DistributionOutput,
  ExplainInput,
  ExplainOutput,
  HistoryInput,
  HistoryOutput,
  ListSymbolsInput,
  ListSymbolsOutput,
  RankingsInput,
  RankingsOutput,
} from './tool-schemas.js';

/** A tool's answer: the structured content (fits `output`) and a short summary for people. */
export interface ToolAnswer<O> {
  readonly structured: O;
  readonly text: string;
}

export interface CapflowTool<I extends TObject = TObject, O extends TObject = TObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  run(api: CapflowApi, args: Static<I>): Promise<ToolAnswer<Static<O>>>;
}

function tool<I extends TObject, O extends TObject>(definition: CapflowTool<I, O>): CapflowTool<I, O> {
  return definition;
}

type Tiers = { superLarge?: string | undefined; large: string; medium: string; small: string };
const tiersOut = (tiers: Tiers) => ({ ...(tiers.superLarge === undefined ? {} : { super_large: tiers.superLarge }), large: tiers.large, medium: tiers.medium, small: tiers.small });

/** `HH:MM` of an exchange-local ISO 8601 time. */
const clock = (time: string): string => time.slice(11, 16);

export const capitalFlowTool = tool({
  name: 'capital_flow',
  title: 'Intraday capital flow',
  description:
    "A security's cumulative net capital inflow per minute for one trading day (today's lines so far, or a past day's), exactly as LongPort's capital-flow intraday query (command 24) answers: one line per minute, timestamp = minute start in Unix seconds, inflow = net inflow of the day up to the end of that minute, in the trading currency.",
  input: CapitalFlowInput,
  output: CapitalFlowOutput,
  async run(api, args) {
    const day = await api.intraday({ symbol: args.symbol, date: args.date });
    const last = day.lines.at(-1);
    const text = last
      ? `${day.symbol} ${day.date}: ${day.lines.length} of ${day.totalLines} minute lines; cumulative net inflow ${last.inflow} ${day.currency} at ${clock(last.time)} (${day.timeZone}).`
      : `${day.symbol} ${day.date}: no lines yet (the first session has not started).`;
    return { structured: { symbol: day.symbol, date: day.date, lines: day.lines.map((line) => ({ timestamp: line.timestamp, inflow: line.inflow })) }, text };
  },
});

export const capitalDistributionTool = tool({
  name: 'capital_distribution',
  title: 'Capital distribution by trade size',
  description:
    "Inflow and outflow of one trading day by trade size (large, medium, small; super_large too under the four-tier conventions), as LongPort's capital distribution query (command 25) answers; with a convention, that convention's tiers and the main-force net.",
  input: DistributionInput,
  output: DistributionOutput,
  async run(api, args) {
    const base = { symbol: args.symbol, date: args.date };
    const tiered = args.convention === undefined ? undefined : await api.distribution({ ...base, convention: args.convention as ConventionName });
    const answer = tiered ?? (await api.distribution(base));
    const structured: Static<typeof DistributionOutput> = {
      symbol: answer.symbol,
      timestamp: answer.timestamp,
      capital_in: tiersOut(answer.capitalIn),
      capital_out: tiersOut(answer.capitalOut),
      ...(tiered ? { convention: tiered.convention, main_force_net: tiered.mainForceNet } : {}),
    };
    const line = (name: string, tiers: Tiers): string => `${name} large ${tiers.large}, medium ${tiers.medium}, small ${tiers.small}${tiers.superLarge === undefined ? '' : `, super-large ${tiers.superLarge}`}`;
    const text = `${answer.symbol} ${answer.date} up to ${clock(answer.time)} (${answer.currency}): ${line('in', answer.capitalIn)}; ${line('out', answer.capitalOut)}${tiered ? `; ${tiered.convention} main-force net ${tiered.mainForceNet}` : ''}.`;
    return { structured, text };
  },
});

export const capitalFlowHistoryTool = tool({
  name: 'capital_flow_history',
  title: 'Capital flow history',
  description:
    'Net capital inflow by day, week, month, quarter or year over a date range: per period the net inflow, the net by size tier and the main-force net and share. Periods follow the exchange calendar; the range is capped at the current trading day.',
  input: HistoryInput,
  output: HistoryOutput,
  async run(api, args) {
    const history = await api.history({ symbol: args.symbol, period: args.period as HistoryPeriodName, from: args.from, to: args.to, convention: args.convention as ConventionName | undefined });
    const periods = history.periods.map((period) => ({
      period: period.period,
      period_end: period.periodEnd,
      trading_days: period.tradingDays,
      complete: period.complete,
      inflow: period.inflow,
      main_force_net: period.mainForceNet,
      main_force_share: period.mainForceShare,
      net: tiersOut(period.net),
    }));
    const last = history.periods.at(-1);
    const text = `${history.symbol} ${history.period} net inflow ${history.from} to ${history.to} (${history.currency}, ${history.convention} tiers): ${history.periods.length} periods${last ? `; latest ${last.period} inflow ${last.inflow}, main force ${last.mainForceNet} (${last.mainForceShare}%)` : ''}.`;
    return { structured: { symbol: history.symbol, period: history.period, from: history.from, to: history.to, convention: history.convention, periods }, text };
  },
});

export const explainCapitalFlowTool = tool({
  name: 'explain_capital_flow',
  title: "Why a minute's capital flow moved",
  description:
    "The trades behind one minute's change of the intraday capital-flow line: each trade with its price, volume, turnover, its side (buy = inflow, sell = outflow, neutral) and the rule that decided the side (feed: the feed's own side; quote: the quote test; tick: the tick rule; auction: an auction print; neutral-window: the closing-auction window), and the sums (inflow − outflow = the minute's change).",
  input: ExplainInput,
  output: ExplainOutput,
  async run(api, args) {
    const answer = await api.minuteTrades({ symbol: args.symbol, minute: args.minute, date: args.date, limit: args.limit });
    const sums = answer.sums;
    const text =
      `${answer.symbol} ${answer.date} ${answer.minute}: the line moved ${answer.change} ${answer.currency} (${answer.previousInflow} → ${answer.inflow}). ` +
      `${sums.trades} trades: ${sums.buys} buys ${sums.inflow} in, ${sums.sells} sells ${sums.outflow} out, ${sums.neutrals} neutral ${sums.neutral}; net ${sums.net}.` +
      (answer.truncated ? ` Listed: the first ${answer.trades.length}.` : '');
    return {
      structured: {
        symbol: answer.symbol,
        date: answer.date,
        minute: answer.minute,
        timestamp: answer.timestamp,
        previous_inflow: answer.previousInflow,
        inflow: answer.inflow,
        change: answer.change,
        sums: { ...sums },
        truncated: answer.truncated,
        trades: answer.trades.map((one) => ({
          sequence: one.sequence,
          time: one.time,
          price: one.price,
          volume: one.volume,
          turnover: one.turnover,
          trade_type: one.tradeType,
          side: one.side,
          rule: one.rule,
          method: one.method,
        })),
      },
      text,
    };
  },
});

export const capitalFlowRankingsTool = tool({
  name: 'capital_flow_rankings',
  title: 'Capital flow rankings',
  description:
    "A market's symbols ranked by net capital inflow (or main-force net) over the last 1, 3, 5 or 10 trading days: rank, symbol, name and sector when known, the value and the inflow and outflow behind it. order=asc ranks the largest outflows first.",
  input: RankingsInput,
  output: RankingsOutput,
  async run(api, args) {
    const answer = await api.rankings({
      market: args.market as Market,
      by: args.by,
      days: args.days === undefined ? undefined : (String(args.days) as '1' | '3' | '5' | '10'),
      limit: args.limit,
      order: args.order,
      date: args.date,
      convention: args.convention as ConventionName | undefined,
      sector: args.sector,
    });
    const items = answer.items.map((item) => ({
      rank: item.rank,
      symbol: item.symbol,
      ...(item.name === undefined ? {} : { name: item.name }),
      ...(item.sector === undefined ? {} : { sector: item.sector }),
      value: item.value,
      inflow: item.inflow,
      outflow: item.outflow,
    }));
    const what = answer.by === 'main_force' ? `main-force net (${answer.convention ?? 'longport'})` : 'net inflow';
    const top = answer.items.slice(0, 3).map((item) => `${item.rank}. ${item.symbol}${item.name ? ` ${item.name}` : ''} ${item.value}`);
    const text = `${answer.market} ${what} over ${answer.days} trading day${answer.days === 1 ? '' : 's'} to ${answer.date}: ${answer.total} symbols ranked${top.length ? `; ${top.join('; ')}` : ''}.`;
    return {
      structured: {
        market: answer.market,
        date: answer.date,
        days: answer.days,
        dates: [...answer.dates],
        by: answer.by,
        ...(answer.convention === undefined ? {} : { convention: answer.convention }),
        total: answer.total,
        items,
      },
      text,
    };
  },
});

export const listSymbolsTool = tool({
  name: 'list_symbols',
  title: 'Symbols with capital-flow data',
  description: "The symbols capflow knows in the credential's markets (optionally one market): whether each has trade data and its latest trading day with trades.",
  input: ListSymbolsInput,
  output: ListSymbolsOutput,
  async run(api, args) {
    const answer = await api.symbols();
    const symbols = answer.symbols
      .filter((entry) => args.market === undefined || entry.market === args.market)
      .map((entry) => ({ symbol: entry.symbol, market: entry.market, currency: entry.currency, has_data: entry.hasData, last_date: entry.lastDate }));
    const withData = symbols.filter((entry) => entry.has_data).length;
    const text = `${symbols.length} symbols${args.market ? ` in ${args.market}` : ''} (${withData} with data); markets permitted: ${answer.markets.join(', ') || 'none'}.`;
    return { structured: { markets: [...answer.markets], symbols }, text };
  },
});

/** Every tool, in the order they are listed. */
export const CAPFLOW_TOOLS: readonly CapflowTool[] = [capitalFlowTool, capitalDistributionTool, capitalFlowHistoryTool, capitalFlowRankingsTool, explainCapitalFlowTool, listSymbolsTool] as unknown as readonly CapflowTool[];
