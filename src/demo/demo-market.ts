import { calendarFor } from '../calendar/trading-calendar.js';
import { localDate } from '../calendar/time-zone.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Trade } from '../model/trade.js';
import type { FlowStore } from '../store/flow-store.js';
import { demoSchedule, generateDemoDay } from './demo-day.js';
import { DEMO_SECURITIES, type DemoSecurity } from './demo-securities.js';

export interface DemoMarketOptions {
  store: FlowStore;
  /** Told after every append so the new trades show at once (FlowService.poll). */
  flows: { poll(): Promise<void> };
  seed: number;
  securities?: readonly DemoSecurity[];
  /** The wall clock (injectable for tests). */
  now?: () => number;
  /** How often live trades are released while a market is open (default 1 s). */
  intervalMs?: number;
  /** Where the preload's totals and failed releases are reported (default silent). */
  logger?: Logger;
}

export interface DemoProgress {
  /** Trades newly stored. */
  stored: number;
  /** Trades the store already held (a restart over the same data directory). */
  duplicates: number;
}

/** Trades of one symbol's current day and how many of them have been released. */
interface DayCursor {
  date: string;
  trades: Trade[];
  released: number;
}

const APPEND_BATCH = 5_000;

/**
 * A simulated market on the real clock. Each security's day is generated whole and
 * deterministically (generateDemoDay) and released trade by trade as the wall clock passes
 * each trade's timestamp, through the same durable path as any ingest (FlowStore.appendTrades,
 * deduplicated by trade id), so restarting on the same data directory adds nothing twice.
 */
export class DemoMarket {
  readonly securities: readonly DemoSecurity[];
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly cursors = new Map<string, DayCursor>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DemoMarketOptions) {
    this.securities = options.securities ?? DEMO_SECURITIES;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? silentLogger();
  }

  /**
   * Stores each market's previous complete trading day (relative to its served day) and the
   * served day's trades up to now, so a chart is full at any hour.
   */
  async preload(): Promise<DemoProgress> {
    const now = this.now();
    const total: DemoProgress = { stored: 0, duplicates: 0 };
    for (const security of this.securities) {
      const served = calendarFor(security.market).servedDay(now);
      const previous = calendarFor(security.market).previousTradingDay(served.date);
      add(total, await this.append(generateDemoDay(this.options.seed, security, demoSchedule(security, previous))));
    }
    add(total, await this.releaseDue(now));
    this.log.info({ seed: this.options.seed, stored: total.stored, alreadyPresent: total.duplicates }, 'demo market preloaded');
    return total;
  }

  /** Releases every trade whose time has come; resolves to what was stored. */
  advance(): Promise<DemoProgress> {
    const run = this.running.then(() => this.releaseDue(this.now()));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Releases due trades every interval until stopped. */
  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.advance()
        .catch((error: unknown) => this.log.error({ err: error }, 'releasing demo trades failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs ?? 1000).unref();
        });
    };
    this.timer = setTimeout(tick, this.options.intervalMs ?? 1000).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async releaseDue(now: number): Promise<DemoProgress> {
    const due: Trade[] = [];
    for (const security of this.securities) {
      const served = calendarFor(security.market).servedDay(now);
      let cursor = this.cursors.get(security.symbol);
      if (!cursor || cursor.date !== served.date) {
        cursor = { date: served.date, trades: generateDemoDay(this.options.seed, security, served), released: 0 };
        this.cursors.set(security.symbol, cursor);
      }
      while (cursor.released < cursor.trades.length && cursor.trades[cursor.released]!.timestamp <= now) {
        due.push(cursor.trades[cursor.released]!);
        cursor.released++;
      }
    }
    return this.append(due);
  }

  private async append(trades: readonly Trade[]): Promise<DemoProgress> {
    const progress: DemoProgress = { stored: 0, duplicates: 0 };
    if (trades.length === 0) return progress;
    for (let start = 0; start < trades.length; start += APPEND_BATCH) {
      const batch = trades.slice(start, start + APPEND_BATCH).map((trade) => ({
        trade,
        date: localDate(this.marketOf(trade.symbol), trade.timestamp),
      }));
      const result = await this.options.store.appendTrades(batch);
      progress.stored += result.stored.length;
      progress.duplicates += result.duplicates;
    }
    await this.options.flows.poll();
    return progress;
  }

  private marketOf(symbol: string): DemoSecurity['market'] {
    const security = this.securities.find((candidate) => candidate.symbol === symbol);
    if (!security) throw new Error(`not a demo symbol: ${symbol}`);
    return security.market;
  }
}

function add(total: DemoProgress, part: DemoProgress): void {
  total.stored += part.stored;
  total.duplicates += part.duplicates;
}
