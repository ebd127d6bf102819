import type { Credential } from '../../auth/credential.js';
import type { PacketConnection } from '../transport/packet-connection.js';

/** What a command handler knows about its caller. */
export interface RequestContext {
  readonly credential: Credential;
  readonly connectionId: number;
  /** The caller's connection, for commands that push to it later (live subscriptions). */
  readonly connection?: PacketConnection;
}

/**
 * A business command: decodes its request body, answers with a response body, or throws a
 * CapflowError carrying the status and business code of the failure.
 */
export type CommandHandler = (body: Uint8Array, context: RequestContext) => Uint8Array | Promise<Uint8Array>;
