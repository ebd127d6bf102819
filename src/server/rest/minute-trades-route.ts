import { exchangeTime } from '../../calendar/time-zone.js';
import { Endpoint } from '../../contract/endpoints.js';
import { ApiLimits } from '../../contract/limits.js';
import { formatScaled } from '../../model/decimal.js';
import { BusinessCode, CapflowError, invalidRequest } from '../../model/errors.js';
import type { FlowService } from '../../service/flow-service.js';
import { explainLine } from '../../service/minute-trades.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { JsonRoute } from '../http/http-api.js';
import { whenAdmitted } from './admitted.js';
import { symbolDay } from './flow-payloads.js';
import { FlowCommand, type FlowQueries } from './flow-queries.js';
import type { CallerResolver } from './rest-caller.js';

export const MINUTE_TRADES_PATH = Endpoint.minuteTrades.path;

export interface MinuteTradesRouteOptions {
  readonly callers: CallerResolver;
  readonly queries: FlowQueries;
  readonly flows: FlowService;
  readonly store: Pick<FlowStore, 'readDayColumns'>;
}

/** `HH:MM` → minutes after local midnight; a bad request otherwise. */
function minuteOfDay(text: string | null): number {
  const match = text === null ? null : /^(\d{2}):(\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    throw invalidRequest(`minute must be an exchange-local HH:MM, e.g. minute=09:30, got ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function limitOf(text: string | null): number {
  if (text === null) return ApiLimits.defaultMinuteTrades;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > ApiLimits.maxMinuteTrades) {
    throw invalidRequest(`limit must be an integer from 1 to ${ApiLimits.maxMinuteTrades}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** a − b of two amounts of exactly 3 places (`-123.456`), exact. */
function difference(a: string, b: string): string {
  const thousandths = (amount: string): bigint => BigInt(amount.replace('.', ''));
  return formatScaled(thousandths(a) - thousandths(b), 3, 3);
}

/**
 * `GET /api/v1/capital-flow/minute-trades`: one minute's trades behind its line, with the side of
 * each and the rule that decided it. Admitted like the intraday lines (command 24's rate limit,
 * then symbol, permission, known, data); the line values come from the same intraday query.
 */
export function minuteTradesRoute(options: MinuteTradesRouteOptions): JsonRoute {
  const { callers, queries, flows, store } = options;
  return (context) => {
    const params = context.searchParams;
    const credential = callers.resolve(context);
    const date = params.get('date');
    return whenAdmitted(queries.admit(credential, FlowCommand.Intraday, params.get('symbol'), [date]), async (symbol) => {
      const minute = minuteOfDay(params.get('minute'));
      const limit = limitOf(params.get('limit'));
      const schedule = queries.dayOf(symbol, date);
      // A minute of the closing-auction window asks about the closing line, where its trades count.
      const closing = schedule.sessions[schedule.sessions.length - 1]!.end;
      const inGrace = minute > closing && minute < closing + schedule.graceMinutes;
      const index = inGrace ? schedule.lineCount - 1 : schedule.lineMinutes.indexOf(minute);
      const minuteText = params.get('minute')!;
      if (index < 0) {
        const sessions = schedule.sessions.map((session) => `${hhmm(session.start)}–${hhmm(session.end)}`).join(', ');
        throw invalidRequest(`${minuteText} has no line on ${symbol.market} ${schedule.date} (lines: the session minutes ${sessions}, and the closing-auction line at the last session end where there is one)`);
      }
      const day = await queries.intraday(symbol, date, false);
      const line = day.lines[index];
      if (!line) throw invalidRequest(`the ${minuteText} line of ${schedule.date} has not started yet`);
      if (schedule.date < flows.servedSchedule(symbol.market).date && (await flows.archivedDay(symbol.symbol, schedule.date))) {
        throw new CapflowError({ status: 7, code: BusinessCode.NoQuotes, httpStatus: 404 }, `no trades: those of ${symbol.symbol} on ${schedule.date} were removed by retention (only its lines are kept)`);
      }
      const previousInflow = index === 0 ? '0.000' : day.lines[index - 1]!.inflow;
      const explained = await explainLine(store, symbol.symbol, schedule, index, limit);
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
  };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
