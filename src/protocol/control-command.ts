/**
 * The protocol's control command codes (protocol.md, "Control commands"): the close push and the
 * three requests a client may send before it is authenticated.
 */
export const ControlCommand = { Close: 0, Heartbeat: 1, Auth: 2, Reconnect: 3 } as const;
export type ControlCommand = (typeof ControlCommand)[keyof typeof ControlCommand];

/** Heartbeat, auth or reconnect: the requests allowed before auth, whose bodies are always small. */
export function isControlRequest(cmd: number): boolean {
  return cmd === ControlCommand.Heartbeat || cmd === ControlCommand.Auth || cmd === ControlCommand.Reconnect;
}
