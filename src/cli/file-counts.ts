import type { IngestSummary } from '../ingest/batch-ingester.js';
import { formatRejection } from '../ingest/trade-parser.js';

/** What `formatCounts` prints: an ingest's summary, or a computation's (`capflow compute`). */
export type FileCounts = Pick<IngestSummary, 'source' | 'accepted' | 'outsideSessions' | 'duplicates' | 'rejected' | 'skipped'> & {
  readonly rejections: readonly IngestSummary['rejections'][number][];
};

/**
 * A file's counts, then its kept rejection reasons. Trades outside the sessions (before the
 * open, in a lunch break, after the close, on a closed day) are stored and feed the tick rule
 * but count in no line: they are named apart from the accepted ones.
 */
export function formatCounts(summary: FileCounts): string {
  let text =
    `${summary.source}: ${summary.accepted} accepted` +
    (summary.outsideSessions > 0 ? `, ${summary.outsideSessions} outside the sessions` : '') +
    `, ${summary.duplicates} duplicates, ${summary.rejected} rejected` +
    (summary.skipped > 0 ? `, ${summary.skipped} skipped (already ingested)` : '') +
    '\n';
  for (const rejection of summary.rejections) text += `  rejected ${formatRejection(rejection)}\n`;
  const untold = summary.rejected - summary.rejections.length;
  if (untold > 0) text += `  … and ${untold} more rejected\n`;
  return text;
}
