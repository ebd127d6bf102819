import { dateToDayNumber, dayNumberToDate, localDayNumber } from '../calendar/time-zone.js';
import { calendarFor } from '../calendar/trading-calendar.js';
import { DayFlow, type TierThresholds } from '../engine/index.js';
import type { Logger } from '../logging/logger.js';
import type { Market } from '../model/market.js';
import { parseSymbol } from '../model/symbol.js';
import type { ArchivedDay, DayArchive } from '../store/day-archive.js';
import type { FlowStore } from '../store/flow-store.js';

export interface RetentionOptions {
  store: FlowStore;
  archive: DayArchive;
  /** Raw trades of the last N days (and today) are kept; older days keep only lines and summary. */
  retainTradesDays: number;
  /** "Today" per market: the market clock's now (so a replayed past day is never trimmed). */
  now: (market: Market) => number;
  thresholds?: Partial<Record<Market, TierThresholds>>;
  /** Where passes that archived days, and failed passes, are reported (default silent). */
  logger?: Logger;
}

export interface RetentionResult {
  daysArchived: number;
  tradesDeleted: number;
}

/** First date whose raw trades are kept for a market: local today minus N days. */
export function retentionCutoff(market: Market, nowMs: number, retainTradesDays: number): string {
  return dayNumberToDate(localDayNumber(market, nowMs) - retainTradesDays);
}

/**
 * One retention pass: every (symbol, day) older than the cutoff whose trades are still stored is
 * summarised — minute lines as served after the close, inflow and distribution — into the archive,
 * and its raw trades are deleted in the same transaction. Days are summarised one at a time, so
 * memory stays bounded and a crash loses nothing (the day is then simply done on the next pass).
 * An archive with the bulk path (PostgreSQL) trims all due symbols of a date in one transaction,
 * which lets it truncate a day's partition instead of deleting its rows.
 */
export async function runRetention(options: RetentionOptions): Promise<RetentionResult> {
  const result: RetentionResult = { daysArchived: 0, tradesDeleted: 0 };
  const archive = options.archive;
  const byDate = new Map<string, Array<{ symbol: string; market: Market }>>();
  for (const symbol of await options.store.symbols()) {
    const parsed = parseSymbol(symbol);
    if (!parsed) continue;
    const cutoff = retentionCutoff(parsed.market, options.now(parsed.market), options.retainTradesDays);
    for (const { date, trades } of await options.store.daysOf(symbol)) {
      if (date >= cutoff || trades === 0) continue;
      if (archive.beginDayTrim) {
        const due = byDate.get(date);
        if (due) due.push({ symbol, market: parsed.market });
        else byDate.set(date, [{ symbol, market: parsed.market }]);
        continue;
      }
      const day = await summariseDay(options, symbol, parsed.market, date);
      if (!day) continue; // archived already
      const deleted = await archive.archiveAndTrim(day);
      if (deleted === 0) continue; // archived before: late trades of the day stay raw
      result.tradesDeleted += deleted;
      result.daysArchived++;
    }
  }
  for (const date of [...byDate.keys()].sort()) {
    // Read inside the trim, so a concurrent pass (another gateway) that trimmed the day first is seen.
    const trim = await archive.beginDayTrim!(date);
    let archived = 0;
    try {
      for (const { symbol, market } of byDate.get(date)!) {
        const day = await summariseDay(options, symbol, market, date);
        if (!day) continue;
        if (await trim.add(day)) archived++;
      }
    } catch (error) {
      await trim.abort();
      throw error;
    }
    result.tradesDeleted += await trim.commit();
    result.daysArchived += archived;
  }
  if (result.daysArchived > 0) {
    options.logger?.info({ daysArchived: result.daysArchived, tradesDeleted: result.tradesDeleted }, 'retention pass archived days');
  }
  return result;
}

/** A stored day as the archive keeps it; undefined when its raw trades are gone already. */
async function summariseDay(options: RetentionOptions, symbol: string, market: Market, date: string): Promise<Omit<ArchivedDay, 'archivedAt'> | undefined> {
  const stored = await options.store.tradesOfDay(symbol, date);
  if (stored.length === 0) return undefined;
  const schedule = calendarFor(market).schedule(date);
  const day = schedule ? new DayFlow(schedule, options.thresholds?.[market]) : undefined;
  if (day) for (const trade of stored) day.add(trade);
  const end = Number.MAX_SAFE_INTEGER;
  const lines = day ? day.lines(end) : [];
  return {
    symbol,
    date,
    trades: stored.length,
    inflow: lines.at(-1)?.inflow ?? '0.000',
    lines,
    summary: day ? { totals: day.totals(end), distribution: day.distribution(end) } : { closedDay: true },
  };
}

/** Runs retention soon and then every `intervalMs` (default daily); the returned stop waits for a running pass. */
export function scheduleRetention(options: RetentionOptions & { intervalMs?: number }): () => Promise<void> {
  let running: Promise<void> | undefined;
  const pass = (): void => {
    if (running) return;
    running = runRetention(options)
      .then(() => undefined)
      .catch((error: unknown) => options.logger?.error({ err: error }, 'retention pass failed'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(pass, 1_000);
  const timer = setInterval(pass, options.intervalMs ?? 86_400_000);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

/** `YYYY-MM-DD` + n days. */
export function addDays(date: string, days: number): string {
  return dayNumberToDate(dateToDayNumber(date) + days);
}
