import type { Logger } from '../../../logging/logger.js';
import type { CapflowMetrics } from '../../metrics/capflow-metrics.js';
import type { ConnectionHandler } from '../transport/packet-connection.js';

/**
 * Wraps the gateway for the transports: counts connections by transport and logs their life with
 * the connection id (and each request's id at debug level). Never sees or logs bodies.
 */
export function instrumentConnections(handler: ConnectionHandler, metrics: CapflowMetrics, logger: Logger): ConnectionHandler {
  return {
    onOpen(conn) {
      metrics.connectionOpened(conn.transport);
      logger.debug({ conn: conn.id, transport: conn.transport, remote: conn.remoteAddress }, 'connection opened');
      handler.onOpen(conn);
    },
    onRequest(conn, request) {
      if (logger.isLevelEnabled('debug')) logger.debug({ conn: conn.id, req: request.requestId, cmd: request.cmd }, 'request');
      return handler.onRequest(conn, request);
    },
    onClose(conn) {
      metrics.connectionClosed(conn.transport);
      logger.debug({ conn: conn.id, transport: conn.transport }, 'connection closed');
      handler.onClose(conn);
    },
  };
}
