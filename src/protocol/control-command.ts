import { Command } from './gen/quote_pb.js';

/**
 * The protocol's control command codes (protocol.md, "Control commands"): the close push and the
 * three requests a client may send before it is authenticated. The numbers are those of
 * quote.proto's `Command`; the close push travels as command 0.
 */
export const ControlCommand = { Close: 0, Heartbeat: Command.HEART_BEAT, Auth: Command.AUTH, Reconnect: Command.RECONNECT } as const;
export type ControlCommand = (typeof ControlCommand)[keyof typeof ControlCommand];

/** LongPort's command codes (quote.proto), re-exported so callers need not reach into gen/. */
export { Command as QuoteCommand };

/** Heartbeat, auth or reconnect: the requests allowed before auth, whose bodies are always small. */
export function isControlRequest(cmd: number): boolean {
  return cmd === ControlCommand.Heartbeat || cmd === ControlCommand.Auth || cmd === ControlCommand.Reconnect;
}
