import { exchangeTime } from '../../../calendar/time-zone.js';
import { formatScaled } from '../../../model/decimal.js';
import { BusinessCode, CapflowError, invalidRequest } from '../../../model/errors.js';
import type { FlowService } from '../../../service/flow-service.js';
import { explainLine } from '../../../service/minute-trades.js';
import type { FlowStore } from '../../../store/flow-store.js';
import { ApiLimits } from '../../../contract/limits.js';
import { symbolDay } from '../../queries/flow-payloads.js';
import type { FlowQueries } from '../../queries/flow-queries.js';
import type { ContractRouter } from '../contract-router.js';

export interface MinuteTradesRouteOptions {
  readonly queries: FlowQueries;
  readonly flows: FlowService;
  readonly store: Pick<FlowStore, 'readDayColumns'>;
}

/** `HH:MM` → minutes after local midnight; a bad request otherwise. */
function minuteOfDay(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    throw invalidRequest(`minute must be an exchange-local HH:MM, e.g. minute=09:30, got ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** a − b of two amounts of exactly 3 places (`-123.456`), exact. */
function difference(a: string, b: string): string {
  const thousandths = (amount: string): bigint => BigInt(amount.replace('.', ''));
  return formatScaled(thousandths(a) - thousandths(b), 3, 3);
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * `GET /api/v1/capital-flow/minute-trades`: one minute's trades behind its line, with the side of
 * each and the rule that decided it. The router has taken command 24's token and checked the
 * query; then the symbol is admitted like the intraday lines (format, permission, known, data),
 * whose values come from the same intraday query.
 */
export function registerMinuteTradesRoute(routes: ContractRouter, options: MinuteTradesRouteOptions): void {
  const { queries, flows, store } = options;
  routes.envelope('minuteTrades', async ({ credential, query }) => {
    const symbol = queries.admit(credential, query.symbol);
    const minute = minuteOfDay(query.minute);
    const date = query.date ?? null;
    const schedule = queries.dayOf(symbol, date);
    // A minute of the closing-auction window asks about the closing line, where its trades count.
    const closing = schedule.sessions[schedule.sessions.length - 1]!.end;
    const inGrace = minute > closing && minute < closing + schedule.graceMinutes;
    const index = inGrace ? schedule.lineCount - 1 : schedule.lineMinutes.indexOf(minute);
    if (index < 0) {
      const sessions = schedule.sessions.map((session) => `${hhmm(session.start)}–${hhmm(session.end)}`).join(', ');
      throw invalidRequest(
        `${query.minute} has no line on ${symbol.market} ${schedule.date} (lines: the session minutes ${sessions}, and the closing-auction line at the last session end where there is one)`,
      );
    }
    const day = await queries.intraday(symbol, date, false);
    const line = day.lines[index];
    if (!line) throw invalidRequest(`the ${query.minute} line of ${schedule.date} has not started yet`);
    if (schedule.date < flows.servedSchedule(symbol.market).date && (await flows.archivedDay(symbol.symbol, schedule.date))) {
      throw new CapflowError(
        { status: 7, code: BusinessCode.NoQuotes, httpStatus: 404 },
        `no trades: those of ${symbol.symbol} on ${schedule.date} were removed by retention (only its lines are kept)`,
      );
    }
    const previousInflow = index === 0 ? '0.000' : day.lines[index - 1]!.inflow;
    const explained = await explainLine(store, symbol.symbol, schedule, index, query.limit ?? ApiLimits.defaultMinuteTrades);
    return {
      ...symbolDay(symbol),
      date: schedule.date,
      minute: hhmm(schedule.lineMinutes[index]!),
      timestamp: line.timestamp,
      time: exchangeTime(symbol.market, line.timestamp * 1000),
      previousInflow,
      inflow: line.inflow,
      change: difference(line.inflow, previousInflow),
      sums: explained.sums,
      truncated: explained.tradeCount > explained.trades.length,
      trades: explained.trades,
    };
  });
}
