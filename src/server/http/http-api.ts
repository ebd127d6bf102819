import type { IncomingMessage, ServerResponse } from 'node:http';
import { CapflowError, HttpErrorCode, httpError, toCapflowError } from '../../model/errors.js';
import type { Credential } from '../auth/credential.js';
import type { HttpAuthenticator } from '../auth/http-authenticator.js';

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
  log?: (message: string, error?: unknown) => void;
}

interface Route {
  method: string;
  path: string;
  json?: JsonRoute;
  raw?: RawRoute;
}

/**
 * The HTTP side of the server: a small exact-path router whose JSON answers follow LongPort's
 * envelope `{code, message, data}`; every failure is a CapflowError mapped to its HTTP status.
 */
export class HttpApi {
  private readonly routes: Route[] = [];
  private readonly log: (message: string, error?: unknown) => void;

  constructor(private readonly options: HttpApiOptions) {
    this.log = options.log ?? (() => {});
  }

  json(method: string, path: string, handler: JsonRoute): this {
    this.routes.push({ method, path, json: handler });
    return this;
  }

  raw(method: string, path: string, handler: RawRoute): this {
    this.routes.push({ method, path, raw: handler });
    return this;
  }

  /** The node `request` listener. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.handle(request, response).catch((error: unknown) => {
      this.log('http handler failed', error);
      if (!response.headersSent) sendJsonError(response, toCapflowError(error));
      else response.destroy();
    });
  };

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://capflow.invalid');
    const method = request.method ?? 'GET';
    const candidates = this.routes.filter((route) => route.path === url.pathname);
    const route = candidates.find((candidate) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET'));
    if (!route) {
      request.resume();
      if (candidates.length > 0) {
        response.setHeader('Allow', candidates.map((candidate) => candidate.method).join(', '));
        sendJsonError(response, httpError(405, HttpErrorCode.BadRequest, `method ${method} not allowed on ${url.pathname}`));
      } else {
        sendJsonError(response, httpError(404, HttpErrorCode.NotFound, `no such endpoint: ${url.pathname}`));
      }
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, this.options.maxBodyBytes);
    } catch (error) {
      sendJsonError(response, toCapflowError(error));
      request.resume();
      return;
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
        this.options.authenticator.verify({ method, path: url.pathname, query, headers: request.headers, body }),
    };
    try {
      if (route.raw) {
        await route.raw(context, response);
        return;
      }
      const data = await route.json!(context);
      sendJson(response, 200, { code: 0, message: '', data });
    } catch (error) {
      if (!(error instanceof CapflowError)) this.log(`${method} ${url.pathname} failed`, error);
      sendJsonError(response, toCapflowError(error));
    }
  }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      reject(httpError(413, HttpErrorCode.PayloadTooLarge, `request body larger than ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(httpError(413, HttpErrorCode.PayloadTooLarge, `request body larger than ${maxBytes} bytes`));
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendJsonError(response: ServerResponse, error: CapflowError): void {
  sendJson(response, error.httpStatus, error.toJSON());
}
