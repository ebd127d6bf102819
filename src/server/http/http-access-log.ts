import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { CapflowMetrics } from '../metrics/capflow-metrics.js';
import type { Logger } from '../../logging/logger.js';

let nextRequestId = 1;

/**
 * Wraps the HTTP listener: every request gets an id (the client's `X-Request-Id` when it sends a
 * sane one), echoed in the response and in its log line; the line holds method, path (never the
 * query or headers, which may carry credentials), status and duration.
 */
export function withAccessLog(listener: RequestListener, logger: Logger, metrics: CapflowMetrics): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const started = process.hrtime.bigint();
    const offered = request.headers['x-request-id'];
    const reqId = typeof offered === 'string' && /^[\w.-]{1,64}$/.test(offered) ? offered : `h${nextRequestId++}`;
    response.setHeader('X-Request-Id', reqId);
    const path = (request.url ?? '/').split('?')[0];
    response.once('close', () => {
      const status = response.statusCode;
      const method = request.method ?? 'GET';
      metrics.httpRequestDone(method, status);
      const entry = { reqId, method, path, status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
      if (status >= 500) logger.error(entry, 'http request failed');
      else if (status >= 400) logger.info(entry, 'http request refused');
      else logger.debug(entry, 'http request');
    });
    listener(request, response);
  };
}
