import { create, toBinary } from '@bufbuild/protobuf';
import {
  CapflowError,
  CloseCode,
  authError,
  connectDuplicate,
  rateLimited,
  sessionExpired,
  toCapflowError,
  unknownCommand,
} from '../../../model/errors.js';
import { decodeBody } from '../../../protocol/body-codec.js';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { AuthRequestSchema, AuthResponseSchema, ReconnectRequestSchema, ReconnectResponseSchema } from '../../../protocol/gen/control_pb.js';
import { ErrorSchema } from '../../../protocol/gen/error_pb.js';
import type { RequestPacket } from '../../../protocol/packet.js';
import { credentialGeneration, rateLimitFor, usableAt, type Credential, type CredentialRegistry } from '../../auth/credential.js';
import type { OtpStore } from '../../auth/otp-issuer.js';
import { takeToken, type CommandRateLimiter } from '../../rate-limit/token-bucket.js';
import type { CommandHandler } from '../quote/command-handler.js';
import type { ConnectionHandler, PacketConnection } from '../transport/packet-connection.js';
import { SYSTEM_CLOCK, type TransportClock } from '../transport/transport-clock.js';
import type { Session, SessionRegistry } from './session-registry.js';
import type { ConnectionLedger } from '../../../store/gateway-state/connection-ledger.js';
import { whenReady } from '../../../store/gateway-state/maybe-async.js';
import { ControlCommand } from '../../../protocol/control-command.js';
import { RateLimiter } from '../../rate-limit/token-bucket.js';
import { silentLogger, type Logger } from '../../../logging/logger.js';

export { ControlCommand };

/**
 * Heartbeats one connection may send, as a rate-limit rule: 1 per second on average, bursts of at
 * least 10 (SDKs send one every 10–20 s). Beyond it a heartbeat is answered 3/301606 instead of echoed.
 */
export const HEARTBEAT_RATE_LIMIT = { limit: 1, burst: 10 } as const;

export interface SocketGatewayOptions {
  credentials: CredentialRegistry;
  otps: OtpStore;
  sessions: SessionRegistry;
  rateLimiter: CommandRateLimiter;
  commands: ReadonlyMap<number, CommandHandler>;
  now?: () => number;
  logger?: Logger;
  /** A connection that has not authenticated this long is closed with AuthError (default 30 s). */
  authTimeoutMs?: number;
  /** What the auth deadline is timed by (default the system clock; tests drive a manual one). */
  deadlineClock?: TransportClock;
  /** Observes every answered request (metrics). */
  onRequestDone?: (command: number, status: number, code: number) => void;
  /** Observes every socket auth failure: the close code it ended with (AuthError or SessExpired). */
  onAuthFailure?: (closeCode: number) => void;
  /** Told once when an authenticated connection ends (closed, dropped, or its session moved away). */
  onConnectionClosed?: (conn: PacketConnection) => void;
  /**
   * Counts connections per credential across a fleet of gateways and closes a connection whose
   * session was resumed on another gateway. Without it, this gateway counts its own (in memory).
   */
  connectionLedger?: ConnectionLedger;
}

interface ConnectionState {
  credential?: Credential;
  session?: Session;
  cancelAuthDeadline?: () => void;
  /** An auth or reconnect of this connection is being answered (by a store that answers later). */
  controlPending?: boolean;
}

/**
 * The socket session layer over any transport: auth with a one-time password, reconnect to a
 * live session, heartbeats, per-credential connection limits and rate limits, and dispatch of
 * business commands. Every failure becomes a documented response status or close push; nothing
 * a client sends can stop other connections from being served.
 */
export class SocketGateway implements ConnectionHandler {
  private readonly states = new Map<PacketConnection, ConnectionState>();
  /** Live authenticated connections per app key. */
  private readonly online = new Map<string, Set<PacketConnection>>();
  /** Which connection holds each session. */
  private readonly holders = new Map<string, PacketConnection>();
  /** Business requests whose handler has not answered yet (graceful shutdown waits for them). */
  private pending = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Open connections by id, for the ledger's "session moved" notices (only with a ledger). */
  private readonly byId = new Map<number, PacketConnection>();
  /** Heartbeat buckets per connection (keyed by connection id). */
  private readonly heartbeats: RateLimiter;

  constructor(private readonly options: SocketGatewayOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
    this.heartbeats = new RateLimiter(this.now);
    options.connectionLedger?.onMoved((connectionId, sessionId) => this.sessionMovedAway(connectionId, sessionId));
  }

  /** Live connections of a credential (the `online` of token and auth responses). */
  onlineCount(appKey: string): number {
    return this.online.get(appKey)?.size ?? 0;
  }

  /** Live connections of a credential across the fleet (this gateway's own without a ledger). */
  fleetOnlineCount(appKey: string): number | Promise<number> {
    return this.options.connectionLedger ? this.options.connectionLedger.online(appKey) : this.onlineCount(appKey);
  }

  /** Live authenticated connections of a credential (operations, tests). */
  connectionsOf(appKey: string): PacketConnection[] {
    return [...(this.online.get(appKey) ?? [])];
  }

  /**
   * Ends a credential's access (revoked, expired, rotated): its live connections get the close
   * push AuthError, and its sessions and one-time passwords are forgotten, however many —
   * except those of `keepGeneration` (the credential's new generation, which another gateway of
   * a fleet may already have issued). Those of an earlier generation are refused in any case.
   * Returns how many connections closed.
   */
  disconnectCredential(appKey: string, reason: string, keepGeneration?: string): number {
    Promise.resolve()
      .then(() => Promise.all([this.options.sessions.removeCredential(appKey, keepGeneration), this.options.otps.removeCredential(appKey, keepGeneration)]))
      .catch((error: unknown) => this.logger.error({ err: error, appKey }, 'forgetting the sessions of a credential failed'));
    const live = this.connectionsOf(appKey);
    for (const conn of live) {
      this.onClose(conn);
      conn.close(CloseCode.AuthError, reason);
    }
    return live.length;
  }

  /** Requests being handled right now. */
  get inFlight(): number {
    return this.pending;
  }

  /** Resolves once no request is being handled, or after `timeoutMs` (true when drained). */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(this.pending === 0);
      };
      const timer = setTimeout(done, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  onOpen(conn: PacketConnection): void {
    const state: ConnectionState = {};
    // Unauthenticated connections are cheap to open; they must not hold resources for long.
    state.cancelAuthDeadline = (this.options.deadlineClock ?? SYSTEM_CLOCK).schedule(() => {
      if (this.states.get(conn) !== state || state.credential) return;
      this.onClose(conn);
      conn.close(CloseCode.AuthError, 'authentication timed out');
    }, this.options.authTimeoutMs ?? 30_000);
    this.states.set(conn, state);
    if (this.options.connectionLedger) this.byId.set(conn.id, conn);
  }

  onClose(conn: PacketConnection): void {
    const state = this.states.get(conn);
    this.states.delete(conn);
    this.heartbeats.forget(String(conn.id));
    state?.cancelAuthDeadline?.();
    if (this.options.connectionLedger && this.byId.get(conn.id) === conn) this.byId.delete(conn.id);
    if (!state?.credential) return;
    this.options.connectionLedger?.release(conn.id);
    this.online.get(state.credential.appKey)?.delete(conn);
    if (state.session && this.holders.get(state.session.id) === conn) this.holders.delete(state.session.id);
    if (this.options.onConnectionClosed) {
      try {
        this.options.onConnectionClosed(conn);
      } catch (error) {
        this.logger.error({ err: error, conn: conn.id }, 'connection close hook failed');
      }
    }
  }

  onRequest(conn: PacketConnection, request: RequestPacket): void {
    const state = this.states.get(conn);
    if (!state) return;
    try {
      switch (request.cmd) {
        case ControlCommand.Heartbeat:
          this.heartbeat(conn, request);
          return;
        case ControlCommand.Auth:
        case ControlCommand.Reconnect:
          this.oneControlAtATime(conn, state, request);
          return;
        default:
          if (!state.credential) throw authError('authenticate before sending requests');
          this.dispatch(conn, state.credential, request);
      }
    } catch (error) {
      this.fail(conn, request, error);
    }
  }

  /** Echoes a heartbeat's body (small: the transport bounds control bodies), within the per-connection rate. */
  private heartbeat(conn: PacketConnection, request: RequestPacket): void {
    const { limit, burst } = HEARTBEAT_RATE_LIMIT;
    if (!this.heartbeats.tryTake(String(conn.id), ControlCommand.Heartbeat, limit, burst)) {
      throw rateLimited(`heartbeat rate of ${limit}/s (burst ${burst}) exceeded on this connection`);
    }
    conn.sendResponse(request.cmd, request.requestId, 0, request.body);
  }

  /**
   * Auth and reconnect, one at a time per connection: another arriving while one is being answered
   * (a shared store answers later) is refused 3/301606, so that a burst of them on one connection
   * cannot queue lookups on the store.
   */
  private oneControlAtATime(conn: PacketConnection, state: ConnectionState, request: RequestPacket): void {
    if (state.controlPending) throw rateLimited('an auth or reconnect is already being answered on this connection');
    const pending = request.cmd === ControlCommand.Auth ? this.authenticate(conn, state, request) : this.reconnect(conn, state, request);
    if (!pending) return;
    state.controlPending = true;
    this.settle(
      conn,
      request,
      pending.finally(() => {
        state.controlPending = false;
      }),
    );
  }

  /** Routes the failure of a control request answered later (shared OTP / session store) to `fail`. */
  private settle(conn: PacketConnection, request: RequestPacket, pending: void | Promise<void>): void {
    if (pending) pending.catch((error: unknown) => this.fail(conn, request, error));
  }

  /** True while the connection is still the one whose request is being answered. */
  private stillOpen(conn: PacketConnection, state: ConnectionState): boolean {
    return conn.isOpen && this.states.get(conn) === state;
  }

  private authenticate(conn: PacketConnection, state: ConnectionState, request: RequestPacket): void | Promise<void> {
    const auth = decodeOr(AuthRequestSchema, request.body, () => authError('malformed auth request'));
    return whenReady(this.options.otps.redeem(auth.token), (redeemed) => {
      if (!this.stillOpen(conn, state)) return;
      if (redeemed === undefined) throw authError('invalid, used or expired token');
      const credential = this.currentCredential(redeemed.appKey, redeemed.generation, 'one-time password');
      return whenReady(this.takeControlToken(credential, ControlCommand.Auth), () => {
        if (!this.stillOpen(conn, state)) return;
        if (this.options.connectionLedger) return this.authenticateInFleet(conn, state, request, credential, this.options.connectionLedger);
        this.admit(conn, state, credential);
        return whenReady(this.options.sessions.create(credential.appKey, credentialGeneration(credential)), (session) => {
          if (!this.stillOpen(conn, state)) return;
          this.authenticated(conn, state, request, credential, session);
        });
      });
    });
  }

  /**
   * The usable credential a one-time password or session belongs to, provided it was issued under
   * the credential's current generation: nothing minted before a rotation or revocation works.
   */
  private currentCredential(appKey: string, generation: string, what: string): Credential {
    const credential = this.usableCredential(appKey);
    if (!credential) throw authError('credential unknown, revoked or expired');
    if (credentialGeneration(credential) !== generation) {
      throw authError(`${what} issued before the credential's access token was rotated or revoked`);
    }
    return credential;
  }

  /** Auth (2) and reconnect (3) take a token of the credential's bucket; a refusal is a 3/301606 response. */
  private takeControlToken(credential: Credential, command: number): void | Promise<void> {
    const rule = rateLimitFor(credential, command);
    if (!rule) return;
    return takeToken(this.options.rateLimiter, credential.appKey, command, rule, `command ${command}`);
  }

  /** Auth counted by the fleet's ledger: the session first, so its holder is known everywhere. */
  private async authenticateInFleet(
    conn: PacketConnection,
    state: ConnectionState,
    request: RequestPacket,
    credential: Credential,
    ledger: ConnectionLedger,
  ): Promise<void> {
    const session = await this.options.sessions.create(credential.appKey, credentialGeneration(credential));
    if (!this.stillOpen(conn, state)) return;
    const online = await ledger.admit(conn.id, credential.appKey, session.id, credential.connections);
    if (online === undefined) {
      void Promise.resolve(this.options.sessions.remove(session.id)).catch(() => undefined);
      throw connectDuplicate(`connection limit of ${credential.connections} reached for this credential`);
    }
    if (!this.stillOpen(conn, state)) {
      ledger.release(conn.id);
      return;
    }
    this.admitCounted(conn, state, credential);
    this.authenticated(conn, state, request, credential, session, online);
  }

  private authenticated(
    conn: PacketConnection,
    state: ConnectionState,
    request: RequestPacket,
    credential: Credential,
    session: Session,
    online = this.onlineCount(credential.appKey),
  ): void {
    this.hold(conn, state, session);
    conn.sendResponse(
      request.cmd,
      request.requestId,
      0,
      toBinary(
        AuthResponseSchema,
        create(AuthResponseSchema, {
          sessionId: session.id,
          expires: BigInt(session.expiresAt),
          limit: credential.connections,
          online,
        }),
      ),
    );
  }

  private reconnect(conn: PacketConnection, state: ConnectionState, request: RequestPacket): void | Promise<void> {
    const body = decodeOr(ReconnectRequestSchema, request.body, () => sessionExpired('malformed reconnect request'));
    return whenReady(this.options.sessions.get(body.sessionId), (session) => {
      if (!this.stillOpen(conn, state)) return;
      if (!session) throw sessionExpired();
      const credential = this.resumableCredential(session);
      return whenReady(this.takeControlToken(credential, ControlCommand.Reconnect), () => {
        if (!this.stillOpen(conn, state)) return;
        if (this.options.connectionLedger) return this.resumeInFleet(conn, state, request, session, credential, this.options.connectionLedger);
        this.resume(conn, state, request, session, credential);
      });
    });
  }

  private resume(conn: PacketConnection, state: ConnectionState, request: RequestPacket, session: Session, credential: Credential): void {
    this.closePreviousHolder(conn, session);
    this.admit(conn, state, credential);
    this.resumed(conn, state, request, session, credential, this.onlineCount(credential.appKey));
  }

  /** The session's credential, when still usable and of the session's generation; else the session is removed. */
  private resumableCredential(session: Session): Credential {
    try {
      return this.currentCredential(session.appKey, session.generation, 'session');
    } catch (error) {
      void Promise.resolve(this.options.sessions.remove(session.id)).catch(() => undefined);
      throw error;
    }
  }

  /** The session moves to the new connection; the old one (on this gateway) is told why it is closed. */
  private closePreviousHolder(conn: PacketConnection, session: Session): void {
    const previous = this.holders.get(session.id);
    if (previous && previous !== conn) {
      this.onClose(previous);
      previous.close(CloseCode.ConnectDuplicate, 'session resumed on another connection');
    }
  }

  /**
   * Reconnect counted by the fleet's ledger: the admission also takes the session from whichever
   * connection held it, on any gateway; that gateway closes it with ConnectDuplicate.
   */
  private async resumeInFleet(
    conn: PacketConnection,
    state: ConnectionState,
    request: RequestPacket,
    session: Session,
    credential: Credential,
    ledger: ConnectionLedger,
  ): Promise<void> {
    this.closePreviousHolder(conn, session);
    const online = await ledger.admit(conn.id, credential.appKey, session.id, credential.connections);
    if (online === undefined) throw connectDuplicate(`connection limit of ${credential.connections} reached for this credential`);
    if (!this.stillOpen(conn, state)) {
      ledger.release(conn.id);
      return;
    }
    this.admitCounted(conn, state, credential);
    this.resumed(conn, state, request, session, credential, online);
  }

  /** A connection of this gateway whose session was resumed on another: it is closed, as protocol.md says. */
  private sessionMovedAway(connectionId: number, sessionId: string): void {
    const conn = this.byId.get(connectionId);
    const state = conn && this.states.get(conn);
    if (!conn || !state || state.session?.id !== sessionId) return;
    this.onClose(conn);
    conn.close(CloseCode.ConnectDuplicate, 'session resumed on another gateway');
  }

  private resumed(conn: PacketConnection, state: ConnectionState, request: RequestPacket, session: Session, credential: Credential, online: number): void {
    this.hold(conn, state, session);
    conn.sendResponse(
      request.cmd,
      request.requestId,
      0,
      toBinary(
        ReconnectResponseSchema,
        create(ReconnectResponseSchema, {
          sessionId: session.id,
          expires: BigInt(session.expiresAt),
          limit: credential.connections,
          online,
        }),
      ),
    );
  }

  private usableCredential(appKey: string): Credential | undefined {
    const credential = this.options.credentials.byAppKey(appKey);
    return credential && usableAt(credential, this.now()) ? credential : undefined;
  }

  /** Counts the connection against its credential's limit (once). */
  private admit(conn: PacketConnection, state: ConnectionState, credential: Credential): void {
    if (state.credential && state.credential.appKey !== credential.appKey) {
      this.online.get(state.credential.appKey)?.delete(conn);
    }
    let live = this.online.get(credential.appKey);
    if (!live) {
      live = new Set();
      this.online.set(credential.appKey, live);
    }
    if (!live.has(conn) && live.size >= credential.connections) {
      throw connectDuplicate(`connection limit of ${credential.connections} reached for this credential`);
    }
    live.add(conn);
    state.credential = credential;
    state.cancelAuthDeadline?.();
    conn.authenticated();
  }

  /** Records a connection the fleet's ledger already admitted (its limit was checked there). */
  private admitCounted(conn: PacketConnection, state: ConnectionState, credential: Credential): void {
    if (state.credential && state.credential.appKey !== credential.appKey) this.online.get(state.credential.appKey)?.delete(conn);
    let live = this.online.get(credential.appKey);
    if (!live) {
      live = new Set();
      this.online.set(credential.appKey, live);
    }
    live.add(conn);
    state.credential = credential;
    state.cancelAuthDeadline?.();
    conn.authenticated();
  }

  private hold(conn: PacketConnection, state: ConnectionState, session: Session): void {
    if (state.session && state.session.id !== session.id && this.holders.get(state.session.id) === conn) {
      this.holders.delete(state.session.id);
    }
    state.session = session;
    this.holders.set(session.id, conn);
  }

  private dispatch(conn: PacketConnection, authenticated: Credential, request: RequestPacket, tokenTaken = false): void {
    // The registry's current view, so reloaded limits and permissions apply to the next request.
    const credential = this.options.credentials.byAppKey(authenticated.appKey) ?? authenticated;
    const handler = this.options.commands.get(request.cmd);
    if (!handler) throw unknownCommand(request.cmd);
    const rule = rateLimitFor(credential, request.cmd);
    if (rule && !tokenTaken) {
      const taken = this.options.rateLimiter.tryTake(credential.appKey, request.cmd, rule.limit, rule.burst);
      if (taken instanceof Promise) {
        // A limiter shared by several gateways answers later; the in-memory default at once.
        taken
          .then((ok) => {
            if (!ok) throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded for command ${request.cmd}`);
            if (conn.isOpen) this.dispatch(conn, authenticated, request, true);
          })
          .catch((error: unknown) => this.fail(conn, request, error));
        return;
      }
      if (!taken) throw rateLimited(`rate limit of ${rule.limit}/s (burst ${rule.burst}) exceeded for command ${request.cmd}`);
    }
    let result: Uint8Array | Promise<Uint8Array>;
    try {
      result = handler(request.body, { credential, connectionId: conn.id, connection: conn });
    } catch (error) {
      this.fail(conn, request, error);
      return;
    }
    if (result instanceof Uint8Array) {
      this.succeed(conn, request, result);
      return;
    }
    this.pending++;
    result
      .then(
        (body) => this.succeed(conn, request, body),
        (error: unknown) => this.fail(conn, request, error),
      )
      .finally(() => {
        this.pending--;
        if (this.pending === 0) for (const wake of [...this.idleWaiters]) wake();
      })
      .catch((error: unknown) => this.logger.error({ err: error, conn: conn.id, cmd: request.cmd }, 'answering a command failed'));
  }

  private succeed(conn: PacketConnection, request: RequestPacket, body: Uint8Array): void {
    this.options.onRequestDone?.(request.cmd, 0, 0);
    if (conn.isOpen) conn.sendResponse(request.cmd, request.requestId, 0, body);
  }

  /** Maps any failure to its response or close push, in one place. */
  private fail(conn: PacketConnection, request: RequestPacket, error: unknown): void {
    const failure = toCapflowError(error);
    if (!(error instanceof CapflowError)) this.logger.error({ err: error, conn: conn.id, cmd: request.cmd }, 'command failed unexpectedly');
    this.options.onRequestDone?.(request.cmd, failure.status, failure.code);
    if (failure.closeCode === CloseCode.AuthError || failure.closeCode === CloseCode.SessExpired) {
      this.options.onAuthFailure?.(failure.closeCode);
    }
    if (!conn.isOpen) return;
    if (failure.closeCode !== undefined) {
      this.onClose(conn);
      conn.close(failure.closeCode, failure.message);
      return;
    }
    conn.sendResponse(
      request.cmd,
      request.requestId,
      failure.status,
      toBinary(ErrorSchema, create(ErrorSchema, { code: BigInt(failure.code), msg: failure.message })),
    );
  }
}

/** Decodes a control body; a malformed one ends the connection with the given close error. */
function decodeOr<Desc extends DescMessage>(schema: Desc, body: Uint8Array, failure: () => CapflowError): MessageShape<Desc> {
  try {
    return decodeBody(schema, body);
  } catch {
    throw failure();
  }
}
