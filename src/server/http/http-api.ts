import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { CapflowError, HttpErrorCode, httpError, toCapflowError } from '../../model/errors.js';
import type { Credential } from '../auth/credential.js';
import type { HttpAuthenticator } from '../auth/http-authenticator.js';
import { silentLogger, type Logger } from '../../logging/logger.js';

/** A route handler: gets the authenticated-or-not request, returns a JSON `data` value. */
export interface HttpRequestContext {
  method: string;
  path: string;
  query: string;
  searchParams: URLSearchParams;
  body: Buffer;
  request: IncomingMessage;
  /** Verifies the LongPort request signature; throws the documented HTTP error. */
  authenticate(): Credential;
}

export type JsonRoute = (context: HttpRequestContext) => unknown | Promise<unknown>;
export type RawRoute = (context: HttpRequestContext, response: ServerResponse) => void | Promise<void>;

export interface HttpApiOptions {
  authenticator: HttpAuthenticator;
  /** Largest accepted request body (bytes). */
  maxBodyBytes: number;
  /**
   * Bytes of request bodies held at once across all requests (default 256 MiB): a body that
   * would pass it is refused with 503 / 503001 before it is read.
   */
  maxBodyBytesInFlight?: number;
  /**
   * Time an authenticated request has to deliver its whole body (default 120 s); a slower one
   * is answered 408 / 408001 and its connection closed.
   */
  bodyTimeoutMs?: number;
  /** A refused request's connection is closed at the latest this long after the refusal (default 3 s). */
  refusedCloseMs?: number;
  logger?: Logger;
}

export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 120_000;
const DEFAULT_REFUSED_CLOSE_MS = 3_000;
const NO_BODY = Buffer.alloc(0);

interface Route {
  method: string;
  path: string;
  json?: JsonRoute;
  raw?: RawRoute;
  /** Authenticates a request with a body by its headers alone, in place of the signature's header checks. */
  verifyHeaders?: (headers: IncomingMessage['headers']) => void;
}

/** A raw route's own authentication (`/mcp`: its bearer token), checked before any body byte is read. */
export interface RawRouteOptions {
  verifyHeaders?: (headers: IncomingMessage['headers']) => void;
}

/** Whether a request announces a body: a non-zero Content-Length, or any Transfer-Encoding (chunked). */
function announcesBody(request: IncomingMessage): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * The HTTP side of the server: a small exact-path router whose JSON answers follow LongPort's
 * envelope `{code, message, data}`; every failure is a CapflowError mapped to its HTTP status.
 *
 * Bodies cost memory, so nobody gets one read without credentials: a request that announces a
 * body must first authenticate by its headers alone (app key, token or bearer rule, timestamp
 * window, expiry — everything but the signature, which covers the body and is checked by the
 * route once the body is in). A request that does not is answered at once without a byte of its
 * body read, and its connection closed. Authenticated bodies are bounded in size (per request
 * and across all requests in flight) and in time (`bodyTimeoutMs`, so a client trickling one
 * byte at a time is cut off).
 */
export class HttpApi {
  private readonly routes: Route[] = [];
  private readonly logger: Logger;
  private readonly maxInFlight: number;
  private readonly bodyTimeoutMs: number;
  private readonly refusedCloseMs: number;
  private inFlight = 0;

  constructor(private readonly options: HttpApiOptions) {
    this.logger = options.logger ?? silentLogger();
    this.maxInFlight = options.maxBodyBytesInFlight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT;
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    this.refusedCloseMs = options.refusedCloseMs ?? DEFAULT_REFUSED_CLOSE_MS;
  }

  /** Bytes of request bodies held right now (reserved for bodies being read, or read and being handled). */
  get bodyBytesInFlight(): number {
    return this.inFlight;
  }

  json(method: string, path: string, handler: JsonRoute): this {
    this.routes.push({ method, path, json: handler });
    return this;
  }

  raw(method: string, path: string, handler: RawRoute, options: RawRouteOptions = {}): this {
    this.routes.push({ method, path, raw: handler, ...(options.verifyHeaders ? { verifyHeaders: options.verifyHeaders } : {}) });
    return this;
  }

  /**
   * Answers a JSON GET route in process as `credential`, which the caller has authenticated: the
   * route runs its own checks (permissions, rate limits, input) exactly as for a signed request.
   * Only paths `allowed` says yes to; the answer is what the route would have sent.
   */
  async answerAs(credential: Credential, url: URL, allowed: (path: string) => boolean): Promise<{ status: number; body: string }> {
    const route = this.routes.find((candidate) => candidate.path === url.pathname && candidate.method === 'GET' && candidate.json);
    const failed = (error: CapflowError): { status: number; body: string } => ({ status: error.httpStatus, body: JSON.stringify(error.toJSON()) });
    if (!route?.json || !allowed(url.pathname)) return failed(httpError(404, HttpErrorCode.NotFound, `no such endpoint: ${url.pathname}`));
    const headers = { 'x-api-key': credential.appKey };
    const context: HttpRequestContext = {
      method: 'GET',
      path: url.pathname,
      query: url.search.slice(1),
      searchParams: url.searchParams,
      body: NO_BODY,
      request: { headers, method: 'GET', url: `${url.pathname}${url.search}` } as unknown as IncomingMessage,
      authenticate: () => credential,
    };
    try {
      return { status: 200, body: JSON.stringify({ code: 0, message: '', data: await route.json(context) }) };
    } catch (error) {
      if (!(error instanceof CapflowError)) this.logger.error({ err: error, path: url.pathname }, 'in-process GET failed');
      return failed(toCapflowError(error));
    }
  }

  /** The node `request` listener. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => this.serve(request, response, false);

  /**
   * The node `checkContinue` listener (`Expect: 100-continue`): the client is told to send its
   * body only once its headers have authenticated and the body has its place; otherwise it gets
   * the refusal and never sends the body at all.
   */
  readonly continueListener = (request: IncomingMessage, response: ServerResponse): void => this.serve(request, response, true);

  private serve(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): void {
    this.handle(request, response, expectsContinue).catch((error: unknown) => {
      this.logger.error({ err: error, method: request.method, path: request.url }, 'http handler failed');
      if (!response.headersSent) sendJsonError(response, toCapflowError(error));
      else response.destroy();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://capflow.invalid');
    const method = request.method ?? 'GET';
    const candidates = this.routes.filter((route) => route.path === url.pathname);
    const route = candidates.find((candidate) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET'));
    const withBody = announcesBody(request);
    if (!route) {
      if (candidates.length > 0) response.setHeader('Allow', candidates.map((candidate) => candidate.method).join(', '));
      const error =
        candidates.length > 0
          ? httpError(405, HttpErrorCode.BadRequest, `method ${method} not allowed on ${url.pathname}`)
          : httpError(404, HttpErrorCode.NotFound, `no such endpoint: ${url.pathname}`);
      if (withBody) this.refuse(request, response, error);
      else {
        request.resume();
        sendJsonError(response, error);
      }
      return;
    }
    let body: Buffer = NO_BODY;
    let bodySha1: string | undefined;
    let held = 0;
    if (expectsContinue && !withBody) response.writeContinue();
    if (withBody) {
      try {
        if (route.verifyHeaders) route.verifyHeaders(request.headers);
        else this.options.authenticator.verifyHeaders(request.headers);
        held = this.reserve(request);
        if (expectsContinue) response.writeContinue();
        ({ body, sha1: bodySha1 } = await this.readBody(request, (more) => {
          this.take(more);
          held += more;
        }));
      } catch (error) {
        this.release(held);
        this.refuse(request, response, toCapflowError(error));
        return;
      }
    }
    const query = (request.url ?? '').includes('?') ? (request.url ?? '').slice((request.url ?? '').indexOf('?') + 1) : '';
    const context: HttpRequestContext = {
      method,
      path: url.pathname,
      query,
      searchParams: url.searchParams,
      body,
      request,
      authenticate: () =>
        this.options.authenticator.verify({ method, path: url.pathname, query, headers: request.headers, body, bodySha1 }),
    };
    try {
      if (route.raw) {
        await route.raw(context, response);
        return;
      }
      const data = await route.json!(context);
      sendJson(response, 200, { code: 0, message: '', data });
    } catch (error) {
      if (!(error instanceof CapflowError)) this.logger.error({ err: error, method, path: url.pathname }, 'request failed');
      sendJsonError(response, toCapflowError(error));
    } finally {
      this.release(held);
    }
  }

  /** Reserves a declared body's bytes before reading it (413 beyond the per-request cap, 503 beyond the shared one). */
  private reserve(request: IncomingMessage): number {
    const header = request.headers['content-length'];
    const declared = header === undefined ? 0 : Number(header);
    if (!Number.isSafeInteger(declared) || declared < 0) throw httpError(400, HttpErrorCode.BadRequest, 'malformed Content-Length');
    if (declared > this.options.maxBodyBytes) throw tooLarge(this.options.maxBodyBytes);
    this.take(declared);
    return declared;
  }

  /** Counts `bytes` more of body held; 503 when that passes the shared cap (nothing taken then). */
  private take(bytes: number): void {
    if (this.inFlight + bytes > this.maxInFlight) {
      throw httpError(
        503,
        HttpErrorCode.BodiesInFlight,
        `the server is holding its limit of ${this.maxInFlight} bytes of request bodies; retry shortly (or send smaller bodies)`,
      );
    }
    this.inFlight += bytes;
  }

  private release(bytes: number): void {
    this.inFlight -= bytes;
  }

  /**
   * Reads the body within the time limit. Bytes beyond the declared length (chunked bodies
   * declare none) are counted as they arrive through `grow`, which throws at the shared cap. The
   * signature's SHA-1 of the body is computed chunk by chunk as it arrives, so checking the
   * signature of a large body does not hold the event loop for one long hash afterwards.
   */
  private readBody(request: IncomingMessage, grow: (bytes: number) => void): Promise<{ body: Buffer; sha1: string }> {
    const max = this.options.maxBodyBytes;
    const declared = Number(request.headers['content-length'] ?? 0);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const hash = createHash('sha1');
      let size = 0;
      let done = false;
      const finish = (error: CapflowError | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        request.off('data', onData);
        request.off('end', onEnd);
        request.off('close', onClose);
        if (error) {
          request.pause();
          reject(error);
        } else resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), sha1: hash.digest('hex') });
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > max) return finish(tooLarge(max));
        if (size > declared) {
          try {
            grow(size - Math.max(declared, size - chunk.length));
          } catch (error) {
            return finish(toCapflowError(error));
          }
        }
        chunks.push(chunk);
        hash.update(chunk);
      };
      const onEnd = (): void => finish(undefined);
      const onClose = (): void => finish(httpError(400, HttpErrorCode.BadRequest, 'the client closed the connection before sending the whole body'));
      const timer = setTimeout(
        () => finish(httpError(408, HttpErrorCode.BodyTimeout, `request body not received within ${Math.round(this.bodyTimeoutMs / 1000)} s`)),
        this.bodyTimeoutMs,
      );
      timer.unref();
      request.on('data', onData);
      request.on('end', onEnd);
      request.on('close', onClose);
    });
  }

  /**
   * Answers without reading (more of) the body and closes the connection. The answer is
   * written on the socket itself and only our side is closed: through the ServerResponse, Node
   * would destroy the socket right after the answer, and a client still sending its body would
   * get a connection reset instead of the answer. The body is not read (the socket stays paused
   * once its small buffer is full); the client has `refusedCloseMs` to take the answer and close
   * before the socket is destroyed.
   */
  private refuse(request: IncomingMessage, response: ServerResponse, error: CapflowError): void {
    const socket = request.socket;
    const timer = setTimeout(() => socket.destroy(), this.refusedCloseMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    if (response.headersSent || !socket.writable) {
      socket.destroy();
      return;
    }
    const text = JSON.stringify(error.toJSON());
    response.statusCode = error.httpStatus; // what the access log reports
    const headers: Record<string, unknown> = {
      ...response.getHeaders(),
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      connection: 'close',
    };
    const lines = [`HTTP/1.1 ${error.httpStatus} ${STATUS_CODES[error.httpStatus] ?? ''}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
  }
}

function tooLarge(maxBytes: number): CapflowError {
  return httpError(413, HttpErrorCode.PayloadTooLarge, `request body larger than ${maxBytes} bytes`);
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendJsonError(response: ServerResponse, error: CapflowError): void {
  sendJson(response, error.httpStatus, error.toJSON());
}
