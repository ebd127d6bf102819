import { invalidRequest, rateLimited, toCapflowError, type CapflowError } from '../../model/errors.js';
import { parseSymbol, type ParsedSymbol } from '../../model/symbol.js';
import { QuoteCommand } from '../../protocol/control-command.js';
import { ApiLimits } from '../../contract/limits.js';
import type { FlowService } from '../../service/flow-service.js';
import { rateLimitFor, type Credential } from '../auth/credential.js';
import type { CommandRateLimiter } from '../rate-limit/token-bucket.js';
import { resolveSymbol } from './symbol-access.js';

/** Most symbols in one batch (REST `symbols=` and socket command 210). */
export const BATCH_SYMBOL_LIMIT = ApiLimits.batchSymbols;

export type BatchKindName = 'intraday' | 'distribution';
/** The command each symbol of a batch mirrors, and whose rate-limit bucket it draws on. */
export const BATCH_KIND_COMMAND: Readonly<Record<BatchKindName, number>> = { intraday: QuoteCommand.QueryCapitalFlowIntraday, distribution: QuoteCommand.QueryCapitalFlowDistribution };

export type BatchOutcome<T> = { readonly symbol: string; readonly value: T } | { readonly symbol: string; readonly error: CapflowError };

/** Symbols of a batch: 1 to BATCH_SYMBOL_LIMIT non-empty entries, else the whole call is a 400 / 3-301600. */
export function checkBatchSymbols(symbols: readonly string[]): string[] {
  const list = symbols.map((symbol) => symbol.trim()).filter((symbol) => symbol !== '');
  if (list.length === 0) throw invalidRequest(`no symbols: give 1 to ${BATCH_SYMBOL_LIMIT} symbols, e.g. symbols=700.HK,AAPL.US`);
  if (list.length > BATCH_SYMBOL_LIMIT) throw invalidRequest(`${list.length} symbols: at most ${BATCH_SYMBOL_LIMIT} per call`);
  return list;
}

/**
 * Answers each symbol as its single command would, in order: a token of the mirrored command's
 * bucket first (301606 when empty), then command 24's checks (format, permission, known, data).
 * A symbol's failure is its outcome; the others go on.
 */
export async function runBatch<T>(
  credential: Credential,
  kind: BatchKindName,
  symbols: readonly string[],
  limiter: CommandRateLimiter,
  flows: FlowService,
  answer: (symbol: ParsedSymbol) => Promise<T>,
): Promise<BatchOutcome<T>[]> {
  const command = BATCH_KIND_COMMAND[kind];
  const rule = rateLimitFor(credential, command);
  const outcomes: BatchOutcome<T>[] = [];
  for (const text of checkBatchSymbols(symbols)) {
    const shown = parseSymbol(text)?.symbol ?? text;
    try {
      if (rule) {
        const taken = await limiter.tryTake(credential.appKey, command, rule.limit, rule.burst);
        if (!taken) throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded (shared with command ${command})`);
      }
      outcomes.push({ symbol: shown, value: await answer(resolveSymbol(text, credential, flows)) });
    } catch (error) {
      outcomes.push({ symbol: shown, error: toCapflowError(error) });
    }
  }
  return outcomes;
}

