/**
 * Live authenticated connections counted across a fleet of gateways (the `online` and `limit` of
 * protocol.md), and which connection holds each session. A lone gateway counts its own
 * connections in memory and needs none; a fleet keeps one ledger in shared state (PostgreSQL).
 * Connections are named by this gateway's own connection ids; the ledger qualifies them.
 */
export interface ConnectionLedger {
  /** Registers this gateway (leases, notices); called before the gateway accepts connections. */
  start(): Promise<void>;
  /** Removes this gateway's connections from the fleet's count and stops its timers. */
  stop(): Promise<void>;
  /**
   * Counts connection `connectionId` of `appKey` as live, holding `sessionId`, unless the
   * credential already has `limit` other live connections in the fleet. Any other connection
   * holding the same session (on any gateway) stops counting and its gateway is told to close it
   * (see `onMoved`). Resolves to the credential's live connections including this one, or
   * undefined when refused (then nothing changed).
   */
  admit(connectionId: number, appKey: string, sessionId: string, limit: number): Promise<number | undefined>;
  /** The connection ended (fire and forget; a failure only delays the count by one lease). */
  release(connectionId: number): void;
  /** Live connections of the credential across the fleet. */
  online(appKey: string): Promise<number>;
  /** Called with a connection of this gateway whose session was resumed elsewhere. */
  onMoved(listener: (connectionId: number, sessionId: string) => void): void;
}
