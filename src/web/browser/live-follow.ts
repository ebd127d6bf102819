import { CapflowClientError } from '../../client/client-error.js';
import { isTransient, type RestClient } from '../../client/rest-client.js';
import type { Intraday, LinesEvent } from '../../contract/schemas.js';

export interface FollowHandlers {
  snapshot(day: Intraday): void;
  lines(update: LinesEvent): void;
  /** The stream delivers (`live`), or was lost and is being reopened (`reconnecting`). */
  status(state: 'live' | 'reconnecting'): void;
  /** A failure that reopening will not fix (bad credential, no access…); following has stopped. */
  failed(error: CapflowClientError): void;
}

/** Longest pause between two attempts to reopen the stream. */
const MAX_PAUSE_MS = 30_000;

/**
 * Follows a symbol's live stream until the returned function is called. The stream is read from
 * a signed `fetch` (the client package's REST client), so it needs no stream token and its
 * refusals arrive with their code; after a transient failure or an end it is reopened, with a
 * growing pause.
 */
export function follow(rest: RestClient, symbol: string, handlers: FollowHandlers): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const run = async (): Promise<void> => {
    for (let failures = 0; !signal.aborted; ) {
      try {
        for await (const event of rest.stream({ symbol, detail: '1' }, { signal })) {
          if (event.event === 'snapshot') {
            failures = 0;
            handlers.status('live');
            handlers.snapshot(event.data);
          } else handlers.lines(event.data);
        }
      } catch (error) {
        if (signal.aborted) return;
        const failure = error instanceof CapflowClientError ? error : new CapflowClientError(String(error), { kind: 'unreachable' });
        if (!isTransient(failure)) {
          handlers.failed(failure);
          return;
        }
      }
      if (signal.aborted) return;
      failures++;
      handlers.status('reconnecting');
      await pause(Math.min(MAX_PAUSE_MS, 500 * 2 ** Math.min(failures, 6)), signal);
    }
  };
  void run();
  return () => controller.abort();
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
