import { create, toBinary } from '@bufbuild/protobuf';
import { compactTradeDay } from '../../../protocol/capflow-command.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import {
  CapitalFlowRankingSchema,
  CapitalFlowRankingsRequestSchema,
  CapitalFlowRankingsResponseSchema,
  RankBy,
} from '../../../protocol/gen/capflow_pb.js';
import { rankingRequestOf } from '../../../service/rankings/ranking-query.js';
import type { RankingsService } from '../../../service/rankings/rankings-service.js';
import { rateLimitFor } from '../../auth/credential.js';
import { takeToken, type CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import { QuoteCommand } from '../../../protocol/control-command.js';
import type { CommandHandler } from './command-handler.js';

/** `YYYYMMDD` → `YYYY-MM-DD` (a date given as either is checked by the service). */
function isoDate(text: string): string {
  return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
}

/**
 * capflow's command 211: the REST rankings over the socket, same checks and answers (dates as
 * YYYYMMDD like command 9's); takes a token of command 24's bucket, as the REST call does.
 */
export function rankingsCommandHandler(rankings: RankingsService, limiter: CommandRateLimiter): CommandHandler {
  return async (body, { credential }) => {
    const request = decodeBody(CapitalFlowRankingsRequestSchema, body);
    // One token of command 24's bucket, as the REST rankings take (besides command 211's own).
    const intraday = QuoteCommand.QueryCapitalFlowIntraday;
    const rule = rateLimitFor(credential, intraday);
    if (rule) await takeToken(limiter, credential.appKey, intraday, rule, `command ${intraday} (shared with command 211)`);
    // The request's fields as the REST query's text; proto3 defaults (0, '') mean "not given".
    const fields: Record<string, string | null> = {
      market: request.market,
      by: request.by === RankBy.MAIN_FORCE ? 'main_force' : 'net',
      convention: request.convention === '' ? null : request.convention,
      days: request.days === 0 ? null : String(request.days),
      date: request.date === '' ? null : isoDate(request.date),
      order: request.ascending ? 'asc' : 'desc',
      limit: request.limit === 0 ? null : String(request.limit),
      offset: String(request.offset),
      sector: request.sector === '' ? null : request.sector,
    };
    const answer = await rankings.rankings(rankingRequestOf({ get: (name) => fields[name] ?? null }, credential.markets, true));
    return toBinary(
      CapitalFlowRankingsResponseSchema,
      create(CapitalFlowRankingsResponseSchema, {
        market: answer.market,
        date: compactTradeDay(answer.date),
        days: answer.days,
        dates: answer.dates.map(compactTradeDay),
        by: answer.by === 'main_force' ? RankBy.MAIN_FORCE : RankBy.NET,
        convention: answer.convention ?? '',
        total: answer.total,
        items: answer.items.map((item) => create(CapitalFlowRankingSchema, { ...item, name: item.name ?? '', sector: item.sector ?? '' })),
      }),
    );
  };
}
