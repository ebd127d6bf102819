/**
 * capflow's HTTP API from TypeScript: a typed method per endpoint of the contract, each request
 * signed with the shared signer (or unsigned, for a public dashboard), over the platform's
 * `fetch`, so the same code runs in Node and in browsers. The live stream is read from the
 * `fetch` body (signed like any request), so it needs no stream token.
 */
import type { Static } from '@sinclair/typebox';
import { Endpoint, type EndpointName } from '../contract/endpoints.js';
import type { Routes } from '../contract/routes.js';
import type {
  Batch,
  ConventionName,
  Daily,
  Distribution,
  History,
  Intraday,
  LinesEvent,
  MinuteTrades,
  Rankings,
  SectorLines,
  SectorRankings,
  SocketToken,
  StreamToken,
  Symbols,
  TierDaily,
  TierDistribution,
  Tiers,
} from '../contract/schemas.js';
import { TRANSIENT_CODES } from '../protocol/codes/error-codes.js';
import { signedHeaders, type SigningCredential } from '../protocol/request-signing.js';
import { CapflowClientError } from './client-error.js';
import { SseParser } from './sse-parser.js';

/** The platform's fetch, or a stand-in with its signature. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Optional properties that may also be given as `undefined` (left out of the query). */
type OrUndefined<T> = { [K in keyof T]: {} extends Pick<T, K> ? T[K] | undefined : T[K] };

/** The query parameters of an endpoint, as the contract defines them (wire text; integers as numbers). */
export type QueryOf<Name extends keyof Routes> = OrUndefined<Static<Routes[Name]['query']>>;

/** An event of the live stream: the whole day, or the lines from index `from` on. */
export type StreamEvent = { readonly event: 'snapshot'; readonly data: Intraday; readonly id: string | undefined } | { readonly event: 'lines'; readonly data: LinesEvent; readonly id: string | undefined };

export interface RestClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`; empty for the page's own origin. */
  readonly httpUrl: string;
  /** Signs every request; without it requests go unsigned (a server run as a public dashboard). */
  readonly credential?: SigningCredential | undefined;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
}

type Params = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** Query text in the parameters' order, encoded the same way for the signature and the request. */
export function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  return search.toString();
}

/** Whether a failure may pass by itself (network, rate limit, stream cap, server trouble): worth retrying later. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof CapflowClientError)) return false;
  if (error.kind === 'unreachable') return true;
  return error.kind === 'http' && ((error.code !== undefined && TRANSIENT_CODES.has(error.code)) || (error.httpStatus ?? 0) >= 500);
}

export class RestClient {
  readonly httpUrl: string;
  private readonly credential: SigningCredential | undefined;
  private readonly fetcher: FetchLike;

  constructor(options: RestClientOptions) {
    this.httpUrl = options.httpUrl.replace(/\/+$/, '');
    this.credential = options.credential;
    this.fetcher = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  /** Whether requests are signed (false on a public dashboard). */
  get signed(): boolean {
    return this.credential !== undefined;
  }

  /** Command 24's lines of the served day, or of a past `date`; `detail: '1'` adds the tiers. */
  intraday(query: QueryOf<'intraday'>): Promise<Intraday> {
    return this.data('intraday', query);
  }

  /** Net inflow, inflow and outflow per trading day; with `convention`, every tier of it. */
  daily(query: QueryOf<'daily'> & { readonly convention?: undefined }): Promise<Daily>;
  daily(query: QueryOf<'daily'> & { readonly convention: ConventionName }): Promise<TierDaily>;
  daily(query: QueryOf<'daily'>): Promise<Daily | TierDaily> {
    return this.data('daily', query);
  }

  /** Command 25's distribution; with `convention`, every tier of it with main force. */
  distribution(query: QueryOf<'distribution'> & { readonly convention?: undefined }): Promise<Distribution>;
  distribution(query: QueryOf<'distribution'> & { readonly convention: ConventionName }): Promise<TierDistribution>;
  distribution(query: QueryOf<'distribution'>): Promise<Distribution | TierDistribution> {
    return this.data('distribution', query);
  }

  /** Size tiers and main force per minute and for the day. */
  tiers(query: QueryOf<'tiers'>): Promise<Tiers> {
    return this.data('tiers', query);
  }

  /** Net inflow by day, week, month, quarter or year. */
  history(query: QueryOf<'history'>): Promise<History> {
    return this.data('history', query);
  }

  /** Command 24's lines or command 25's distribution of several symbols, each with its own outcome. */
  batch(query: Omit<QueryOf<'batch'>, 'symbols'> & { readonly symbols: string | readonly string[] }): Promise<Batch> {
    return this.data('batch', query);
  }

  /** One minute's trades behind its line, each with its side and the rule that decided it, and their sums. */
  minuteTrades(query: QueryOf<'minuteTrades'>): Promise<MinuteTrades> {
    return this.data('minuteTrades', query);
  }

  /** A market's symbols ranked by net inflow or main-force net over 1, 3, 5 or 10 trading days. */
  rankings(query: QueryOf<'rankings'>): Promise<Rankings> {
    return this.data('rankings', query);
  }

  /** A market's sectors ranked by the sum of their members' values. */
  sectors(query: QueryOf<'sectors'>): Promise<SectorRankings> {
    return this.data('sectors', query);
  }

  /** A sector's per-minute cumulative lines (its members' lines added). */
  sector(query: QueryOf<'sector'>): Promise<SectorLines> {
    return this.data('sector', query);
  }

  /** Known symbols in the caller's markets. */
  symbols(): Promise<Symbols> {
    return this.data('symbols', {});
  }

  /** A single-use token that opens the live stream once (for EventSource, which cannot sign). */
  streamToken(): Promise<StreamToken> {
    return this.data('streamToken', {});
  }

  /** A one-time password for the socket protocol (`/v1/socket/token`, or `/v2`). */
  socketToken(version: 1 | 2 = 1): Promise<SocketToken> {
    return this.data(version === 1 ? 'socketTokenV1' : 'socketTokenV2', {});
  }

  /** The URL of the live stream, for an EventSource (with a `token` from `streamToken()` when signing). */
  streamUrl(query: QueryOf<'stream'>): string {
    return `${this.httpUrl}${Endpoint.stream.path}?${queryString(query)}`;
  }

  /**
   * The live stream of a symbol: a `snapshot` event first, then `lines` events, until the server
   * ends it or `signal` aborts (then the iteration just ends). A refusal before the stream starts
   * throws as any request does; a connection lost midway throws kind `unreachable`.
   */
  async *stream(query: QueryOf<'stream'>, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<StreamEvent, void, undefined> {
    const response = await this.send('stream', query, { accept: 'text/event-stream', ...(options.signal ? { signal: options.signal } : {}) });
    if (!response.ok) throw await failureOf(response);
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    const cancel = (): void => void reader.cancel().catch(() => {});
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (options.signal?.aborted) return;
          throw new CapflowClientError(`the stream from ${this.httpUrl || 'the server'} broke off: ${messageOf(error)}`, { kind: 'unreachable' });
        }
        if (chunk.done) return;
        for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (event.event === 'snapshot') yield { event: 'snapshot', data: JSON.parse(event.data) as Intraday, id: event.id };
          else if (event.event === 'lines') yield { event: 'lines', data: JSON.parse(event.data) as LinesEvent, id: event.id };
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      cancel();
    }
  }

  /** The `data` of an endpoint's envelope; every failure a CapflowClientError. */
  async data<T>(name: EndpointName, params: Params, body?: Uint8Array): Promise<T> {
    const response = await this.send(name, params, body === undefined ? {} : { body });
    const text = await response.text();
    let json: { code?: unknown; message?: unknown; data?: unknown } | undefined;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
    if (response.ok && json?.code === 0 && json.data !== undefined) return json.data as T;
    throw failureFrom(response.status, text, json);
  }

  /** Sends a (signed) request; a server that cannot be reached is kind `unreachable`. */
  async send(name: EndpointName, params: Params, init: { readonly accept?: string; readonly signal?: AbortSignal; readonly body?: Uint8Array } = {}): Promise<Response> {
    const { method, path } = Endpoint[name];
    const query = queryString(params);
    const headers: Record<string, string> = this.credential ? signedHeaders(this.credential, { method, path, query, body: init.body }) : {};
    headers['accept'] = init.accept ?? 'application/json';
    try {
      return await this.fetcher(`${this.httpUrl}${path}${query ? `?${query}` : ''}`, {
        method,
        headers,
        cache: 'no-store',
        ...(init.body ? { body: init.body as BodyInit } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new CapflowClientError(`cannot reach ${this.httpUrl || 'the server'}: ${messageOf(error)}`, { kind: 'unreachable' });
    }
  }
}

/** The innermost message of a fetch failure (`fetch failed` hides the real cause). */
function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) return (cause as Error).message ?? String(cause);
  return (error as Error).message ?? String(error);
}

async function failureOf(response: Response): Promise<CapflowClientError> {
  const text = await response.text();
  let json: { code?: unknown; message?: unknown } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return failureFrom(response.status, text, json);
}

/** The server's `{code, message}` as a CapflowClientError of kind `http`. */
function failureFrom(status: number, text: string, json: { code?: unknown; message?: unknown } | undefined): CapflowClientError {
  if (json && typeof json.code === 'number' && json.code !== 0) {
    return new CapflowClientError(typeof json.message === 'string' ? json.message : `HTTP ${status}`, { kind: 'http', httpStatus: status, code: json.code });
  }
  return new CapflowClientError(`unexpected answer: HTTP ${status}: ${text.slice(0, 200)}`, { kind: 'http', httpStatus: status });
}
