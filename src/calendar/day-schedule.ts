import type { Market } from '../model/market.js';
import { MARKET_SESSION_RULES, type SessionWindow } from './session-rules.js';
import { dateToDayNumber, dayNumberToDate, localMinuteOfDay, zonedEpochMs } from './time-zone.js';

export type DayKind = 'full' | 'half';

const MS_PER_MINUTE = 60_000;

/**
 * One trading day of one market: its regular sessions, the closing-auction grace and the
 * minutes that get capital-flow lines (docs/computation.md §5), with their instants precomputed so
 * that the engine maps a trade to its line with one subtraction and one table look-up.
 */
export class DaySchedule {
  readonly market: Market;
  /** `YYYY-MM-DD`, the market-local date. */
  readonly date: string;
  /** Days since 1970-01-01 of `date`. */
  readonly dayNumber: number;
  readonly kind: DayKind;
  /** True when the date lies outside the years the calendar data covers (every weekday is assumed a full day). */
  readonly guessed: boolean;
  /** Regular sessions in local minutes after midnight, [start, end), half-day aware. */
  readonly sessions: readonly SessionWindow[];
  /** Closing-auction grace after the last session (HK 10, US 0, CN 1, SG 5). */
  readonly graceMinutes: number;
  /** Local minute of every line: each session minute, plus the last session end when grace > 0. */
  readonly lineMinutes: readonly number[];
  /** Epoch ms of each line's minute start (same order as `lineMinutes`). */
  readonly lineStartMs: readonly number[];
  /** Epoch ms of local midnight starting the date, and of the next local midnight. */
  readonly dayStartMs: number;
  readonly dayEndMs: number;
  readonly firstSessionStartMs: number;
  /** Epoch ms where the last session ends and the grace window begins. */
  readonly lastSessionEndMs: number;
  /** Epoch ms where the grace window ends (= lastSessionEndMs when there is no grace). */
  readonly graceEndMs: number;

  /** Line index per minute since the first session start (-1 in a lunch break); grace minutes map to the last line. */
  private readonly minuteToLine: Int16Array;
  private readonly firstMinute: number;
  /** False only if a UTC-offset change fell inside the trading window (never for the markets served). */
  private readonly linear: boolean;

  constructor(market: Market, date: string, kind: DayKind, guessed: boolean) {
    const rules = MARKET_SESSION_RULES[market];
    const sessions = kind === 'half' ? rules.half : rules.full;
    const first = sessions[0];
    const last = sessions[sessions.length - 1];
    if (!first || !last) throw new RangeError(`no sessions for ${market}`);
    this.market = market;
    this.date = date;
    this.dayNumber = dateToDayNumber(date);
    this.kind = kind;
    this.guessed = guessed;
    this.sessions = sessions;
    this.graceMinutes = rules.graceMinutes;

    const lineMinutes: number[] = [];
    for (const session of sessions) {
      for (let minute = session.start; minute < session.end; minute++) lineMinutes.push(minute);
    }
    if (this.graceMinutes > 0) lineMinutes.push(last.end);
    this.lineMinutes = lineMinutes;
    this.lineStartMs = lineMinutes.map((minute) => zonedEpochMs(market, date, minute));

    this.dayStartMs = zonedEpochMs(market, date, 0);
    this.dayEndMs = zonedEpochMs(market, dayNumberToDate(this.dayNumber + 1), 0);
    this.firstSessionStartMs = zonedEpochMs(market, date, first.start);
    this.lastSessionEndMs = zonedEpochMs(market, date, last.end);
    this.graceEndMs = zonedEpochMs(market, date, last.end + this.graceMinutes);

    this.firstMinute = first.start;
    const windowMinutes = last.end + this.graceMinutes - first.start;
    this.linear = this.graceEndMs - this.firstSessionStartMs === windowMinutes * MS_PER_MINUTE;
    const table = new Int16Array(windowMinutes).fill(-1);
    lineMinutes.forEach((minute, index) => {
      table[minute - first.start] = index;
    });
    const lastLine = lineMinutes.length - 1;
    for (let minute = last.end; minute < last.end + this.graceMinutes; minute++) table[minute - first.start] = lastLine;
    this.minuteToLine = table;
  }

  get lineCount(): number {
    return this.lineMinutes.length;
  }

  /** Whether the instant falls on this date in the market's time zone. */
  containsInstant(epochMs: number): boolean {
    return epochMs >= this.dayStartMs && epochMs < this.dayEndMs;
  }

  /**
   * Index of the line an instant counts in, or -1 when it counts in none (pre-open, lunch,
   * after the grace window, another day). Grace instants count in the last line.
   */
  lineIndexAt(epochMs: number): number {
    if (epochMs < this.firstSessionStartMs || epochMs >= this.graceEndMs) return -1;
    const offset = this.linear
      ? Math.floor((epochMs - this.firstSessionStartMs) / MS_PER_MINUTE)
      : localMinuteOfDay(this.market, epochMs) - this.firstMinute;
    return this.minuteToLine[offset] ?? -1;
  }

  /** Whether the instant lies in the closing-auction grace window after the last session. */
  isGraceAt(epochMs: number): boolean {
    return epochMs >= this.lastSessionEndMs && epochMs < this.graceEndMs;
  }

  /** Number of lines whose minute starts at or before `nowMs` (they are the visible ones). */
  visibleLineCount(nowMs: number): number {
    const starts = this.lineStartMs;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((starts[mid] as number) <= nowMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
