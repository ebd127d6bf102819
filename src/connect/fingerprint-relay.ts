import type { PushTradesEvent } from '../client/core.js';
import type { ParsedSymbol } from '../model/symbol.js';
import { gapId, pushId } from './derived-trade-id.js';
import { fingerprintOf, relayedTrade, type RelayedTrade } from './relayed-trade.js';
import type { HeldTrade } from './relay-target.js';
import { unlessRateLimited, type RelayContext, type SymbolRelay } from './symbol-relay.js';
import { alignQueried } from './trade-alignment.js';

/** QueryTrade's most trades (LongPort documents 1–1000). */
export const QUERY_TRADE_LIMIT = 1000;
/** Trades of a day held in memory for aligning a backfill (more than one QueryTrade answer). */
const HELD_KEPT = 2 * QUERY_TRADE_LIMIT;

interface Pending {
  readonly trade: RelayedTrade;
  readonly id: string;
  readonly receivedAt: number;
}

/**
 * The relay for an upstream whose trades have no identity (LongPort): a pushed trade is recorded
 * under `SYMBOL:YYYYMMDD:pSEQUENCE.INDEX` (the push's sequence and its place in the push). After a
 * disconnect, pushes are held back until the gap is filled from QueryTrade (the latest 1000
 * trades): the answer is aligned by its trades' fields with the trades held before the gap and
 * the pushes after it (trade-alignment.ts), the trades in between are recorded first (ids
 * anchored on the last held trade), then the held-back pushes. A gap QueryTrade cannot reach
 * across is reported.
 */
export class FingerprintRelay implements SymbolRelay {
  /** Per day, the latest trades recorded (read from the target once, then kept up to date). */
  private readonly held = new Map<string, HeldTrade[]>();
  /** Pushes waiting for the backfill after a reconnect (undefined while streaming). */
  private waiting: Pending[] | undefined = [];

  constructor(
    private readonly parsed: ParsedSymbol,
    private readonly context: RelayContext,
  ) {}

  get symbol(): string {
    return this.parsed.symbol;
  }

  pause(): void {
    this.waiting ??= [];
  }

  async onPush(event: PushTradesEvent, receivedAt: number): Promise<void> {
    const trades = event.data.trades;
    for (let index = 0; index < trades.length; index++) {
      const trade = relayedTrade(this.symbol, this.parsed.market, trades[index]!);
      const pending = { trade, id: pushId(this.symbol, trade.date, event.data.sequence, index), receivedAt };
      if (this.waiting) this.waiting.push(pending);
      else await this.record(pending);
    }
  }

  async resync(): Promise<void> {
    const answer = (await unlessRateLimited(() => this.context.upstream().trades(this.symbol, QUERY_TRADE_LIMIT))).map((one) => relayedTrade(this.symbol, this.parsed.market, one));
    const waiting = this.waiting ?? [];
    const date = answer.at(-1)?.date;
    if (date !== undefined) {
      const queried = answer.filter((one) => one.date === date);
      const held = await this.heldOf(date);
      if (held.length === 0 && !this.context.reader.readable) {
        // Nothing recorded by this process and the target cannot tell what it holds: recording
        // the answer could record trades twice, so it is left out (and said).
        this.context.events.gap(this.symbol, date, undefined, 'the target cannot be read back (--bus): QueryTrade is not used after a start');
        this.waiting = undefined;
        for (const pending of waiting) await this.record(pending);
        return;
      }
      const alignment = alignQueried({
        held: held.map((one) => one.fingerprint),
        queried: queried.map(fingerprintOf),
        pushed: waiting.filter((one) => one.trade.date === date).map((one) => fingerprintOf(one.trade)),
        full: answer.length >= QUERY_TRADE_LIMIT,
      });
      if (!alignment.reachesBack) {
        this.context.events.gap(
          this.symbol,
          date,
          undefined,
          held.length > 0 ? `QueryTrade's latest ${QUERY_TRADE_LIMIT} trades do not reach back to the last trade held` : `trades before QueryTrade's latest ${QUERY_TRADE_LIMIT} are not available`,
        );
      }
      const anchor = held.at(-1)?.id;
      const now = Date.now();
      const gap = queried.slice(alignment.gapFrom, alignment.gapTo);
      for (const [k, trade] of gap.entries()) await this.record({ trade, id: gapId(this.symbol, date, anchor, k + 1), receivedAt: now });
      if (gap.length > 0) this.context.events.backfilled(this.symbol, gap.length);
    }
    this.waiting = undefined;
    for (const pending of waiting) await this.record(pending);
  }

  private async record(pending: Pending): Promise<void> {
    const held = await this.heldOf(pending.trade.date);
    this.context.recorder.record(pending.trade, pending.id, pending.receivedAt);
    held.push({ id: pending.id, fingerprint: fingerprintOf(pending.trade) });
    if (held.length > HELD_KEPT * 2) held.splice(0, held.length - HELD_KEPT);
  }

  /** The day's latest trades in the target (its trades recorded before a restart included). */
  private async heldOf(date: string): Promise<HeldTrade[]> {
    let held = this.held.get(date);
    if (held) return held;
    // What this relay recorded and is not yet committed is not in the target: it is added below as recorded.
    await this.context.recorder.flush();
    const stored = await this.context.reader.heldTrades(this.symbol, date, HELD_KEPT);
    held = this.held.get(date) ?? stored;
    this.held.set(date, held);
    for (const old of [...this.held.keys()].sort().slice(0, Math.max(0, this.held.size - 2))) this.held.delete(old);
    return held;
  }
}
