import type { PushTradesEvent } from '../client/core.js';
import { compactDate, expandCompactDate } from '../calendar/time-zone.js';
import type { ParsedSymbol } from '../model/symbol.js';
import { sequenceId, sequenceOfId } from './derived-trade-id.js';
import { relayedTrade, type RelayedTrade } from './relayed-trade.js';
import { unlessRateLimited, type RelayContext, type SymbolRelay } from './symbol-relay.js';

/** Trades asked for per command-220 request (the server answers at most its `countLimit`). */
const PAGE = 5000;

interface DayCursor {
  /** Sequence of the next trade to record (the ones before are recorded or declared missing). */
  next: number;
  /** Trades that arrived ahead of `next`, by sequence. */
  readonly ahead: Map<number, RelayedTrade>;
}

/**
 * The relay for an upstream that numbers trades (capflow): each trade's sequence is its
 * position in the symbol-day's acceptance order, so it is recorded exactly once, in that order,
 * under the id `SYMBOL:YYYYMMDD:SEQUENCE`. Where it starts (after a restart, on a new day) comes
 * from the target: the highest such id it holds. A trade that arrives ahead of the next one
 * waits while the hole is filled from command 220 (trades after a sequence, however many).
 */
export class SequencedRelay implements SymbolRelay {
  private readonly days = new Map<string, DayCursor>();

  constructor(
    private readonly parsed: ParsedSymbol,
    private readonly context: RelayContext,
  ) {}

  get symbol(): string {
    return this.parsed.symbol;
  }

  pause(): void {
    // Sequences place every trade exactly; nothing to hold back.
  }

  async onPush(event: PushTradesEvent, receivedAt: number): Promise<void> {
    const trades = event.data.trades;
    const first = event.data.sequence - trades.length + 1;
    for (let i = 0; i < trades.length; i++) {
      const trade = relayedTrade(this.symbol, this.parsed.market, trades[i]!);
      await this.place(trade, first + i, receivedAt);
    }
  }

  /** Fills the served day up to the upstream's latest trade. */
  async resync(): Promise<void> {
    const probe = await unlessRateLimited(() => this.context.upstream().tradesAfter(this.symbol, { afterSequence: 0, count: 0 }));
    const date = expandCompactDate(probe.tradeDay);
    if (date === undefined) throw new Error(`the upstream answered trade_day ${JSON.stringify(probe.tradeDay)}`);
    const cursor = await this.cursor(date);
    if (probe.dayTrades >= cursor.next) await this.fill(date, cursor, probe.dayTrades);
  }

  private async place(trade: RelayedTrade, sequence: number, receivedAt: number): Promise<void> {
    const cursor = await this.cursor(trade.date);
    if (sequence < cursor.next) return; // recorded already
    if (sequence > cursor.next) {
      cursor.ahead.set(sequence, trade);
      await this.fill(trade.date, cursor, sequence - 1);
      return;
    }
    this.record(trade, sequence, receivedAt, cursor);
  }

  private record(trade: RelayedTrade, sequence: number, receivedAt: number, cursor: DayCursor): void {
    this.context.recorder.record(trade, sequenceId(this.symbol, trade.date, sequence), receivedAt);
    cursor.next = sequence + 1;
    for (let next = cursor.ahead.get(cursor.next); next !== undefined; next = cursor.ahead.get(cursor.next)) {
      cursor.ahead.delete(cursor.next);
      this.context.recorder.record(next, sequenceId(this.symbol, next.date, cursor.next), receivedAt);
      cursor.next++;
    }
  }

  /** Asks for the trades from `next` through `upTo`; what the upstream no longer has is reported as a gap. */
  private async fill(date: string, cursor: DayCursor, upTo: number): Promise<void> {
    let filled = 0;
    while (cursor.next <= upTo) {
      const after = cursor.next - 1;
      const page = await unlessRateLimited(() => this.context.upstream().tradesAfter(this.symbol, { tradeDay: compactDate(date), afterSequence: after, count: PAGE }));
      if (page.trades.length === 0) break;
      if (page.firstSequence > cursor.next) {
        this.context.events.gap(this.symbol, date, page.firstSequence - cursor.next, 'the upstream no longer holds these trades');
        cursor.next = page.firstSequence;
      }
      const now = Date.now();
      page.trades.forEach((one, index) => {
        const sequence = page.firstSequence + index;
        if (sequence !== cursor.next) return;
        this.record(relayedTrade(this.symbol, this.parsed.market, one), sequence, now, cursor);
        filled++;
      });
      if (cursor.next > page.dayTrades) break;
    }
    if (filled > 0) this.context.events.backfilled(this.symbol, filled);
    // A hole the upstream could not fill: go on with what came after it.
    if (cursor.ahead.size > 0 && !cursor.ahead.has(cursor.next)) {
      const resume = Math.min(...cursor.ahead.keys());
      if (resume > cursor.next) {
        this.context.events.gap(this.symbol, date, resume - cursor.next, 'trades between a push and the one before it could not be fetched');
        const trade = cursor.ahead.get(resume)!;
        cursor.ahead.delete(resume);
        this.record(trade, resume, Date.now(), cursor);
      }
    }
  }

  /** The day's cursor: after the highest sequence id the target holds for it. */
  private async cursor(date: string): Promise<DayCursor> {
    let cursor = this.days.get(date);
    if (cursor) return cursor;
    const highest = await this.context.reader.highestId(this.symbol, date, (id) => sequenceOfId(this.symbol, date, id));
    cursor = this.days.get(date); // another call may have set it meanwhile
    if (cursor) return cursor;
    cursor = { next: highest + 1, ahead: new Map() };
    this.days.set(date, cursor);
    // Two days at most: the served one and the one before it.
    for (const old of [...this.days.keys()].sort().slice(0, Math.max(0, this.days.size - 2))) this.days.delete(old);
    return cursor;
  }
}
