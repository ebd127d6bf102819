import { signRequest, type BrowserCredential } from './request-signer.js';

/** A failed call: the server's `{code, message}` with the HTTP status, or a network failure (code 0). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface TierAmounts {
  readonly large: string;
  readonly medium: string;
  readonly small: string;
  readonly total?: string;
}

export interface IntradayLine {
  readonly timestamp: number;
  /** Exchange-local ISO time with offset, e.g. `2024-06-14T09:30:00+08:00`. */
  readonly time: string;
  readonly inflow: string;
  readonly in?: TierAmounts;
  readonly out?: TierAmounts;
}

export interface Intraday {
  readonly symbol: string;
  readonly market: string;
  readonly currency: string;
  readonly timeZone: string;
  readonly date: string;
  readonly totalLines?: number;
  readonly sessions?: readonly { readonly start: string; readonly end: string }[];
  readonly lines: IntradayLine[];
}

export interface LinesUpdate {
  readonly symbol: string;
  readonly date: string;
  readonly from: number;
  readonly lines: IntradayLine[];
}

export interface Distribution {
  readonly symbol: string;
  readonly timestamp: number;
  readonly time?: string;
  readonly capitalIn: TierAmounts;
  readonly capitalOut: TierAmounts;
}

export interface SymbolEntry {
  readonly symbol: string;
  readonly market: string;
  readonly hasData: boolean;
}

export interface StreamHandlers {
  snapshot(payload: Intraday): void;
  lines(update: LinesUpdate): void;
  /** The stream is open (true) or lost and being reopened (false). */
  status(live: boolean): void;
  /** A failure that reopening will not fix (bad credential, no access…). */
  failed(error: ApiError): void;
}

const encoder = new TextEncoder();

/**
 * The page's view of capflow's REST API: JSON in LongPort's `{code, message, data}` envelope,
 * signed with the typed credential, or unsigned on a public dashboard.
 */
export class CapflowApi {
  constructor(private readonly credential: BrowserCredential | undefined) {}

  get signed(): boolean {
    return this.credential !== undefined;
  }

  symbols(): Promise<{ symbols: SymbolEntry[] }> {
    return this.call('GET', '/api/v1/symbols', '');
  }

  intraday(symbol: string): Promise<Intraday> {
    return this.call('GET', '/api/v1/capital-flow/intraday', `symbol=${encodeURIComponent(symbol)}&detail=1`);
  }

  distribution(symbol: string): Promise<Distribution> {
    return this.call('GET', '/api/v1/capital-flow/distribution', `symbol=${encodeURIComponent(symbol)}`);
  }

  /**
   * Follows the live stream of a symbol until the returned function is called. EventSource
   * cannot send signature headers, so a signed page fetches a single-use token for every
   * (re)connection; reconnection is therefore done here, with a growing pause.
   */
  follow(symbol: string, handlers: StreamHandlers): () => void {
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let failures = 0;
    const connect = async (): Promise<void> => {
      let query = `symbol=${encodeURIComponent(symbol)}&detail=1`;
      try {
        if (this.credential) {
          const { token } = await this.call<{ token: string }>('POST', '/api/v1/stream-token', '');
          query += `&token=${encodeURIComponent(token)}`;
        }
      } catch (error) {
        return retryOrFail(error);
      }
      if (stopped) return;
      const opened = new EventSource(`/api/v1/capital-flow/stream?${query}`);
      source = opened;
      opened.addEventListener('open', () => {
        failures = 0;
        handlers.status(true);
      });
      opened.addEventListener('snapshot', (event) => handlers.snapshot(JSON.parse((event as MessageEvent<string>).data) as Intraday));
      opened.addEventListener('lines', (event) => handlers.lines(JSON.parse((event as MessageEvent<string>).data) as LinesUpdate));
      opened.addEventListener('error', () => {
        opened.close();
        if (source !== opened || stopped) return;
        handlers.status(false);
        // The stream does not say why it failed; a plain request does (e.g. 301604, 401003).
        this.intraday(symbol).then(() => retryOrFail(undefined), retryOrFail);
      });
    };
    const retryOrFail = (error: unknown): void => {
      if (stopped) return;
      if (error instanceof ApiError && !isTransient(error)) {
        handlers.failed(error);
        return;
      }
      failures++;
      handlers.status(false);
      retryTimer = setTimeout(() => void connect(), Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }

  private async call<T>(method: string, path: string, query: string, body?: string): Promise<T> {
    const bytes = body === undefined ? undefined : encoder.encode(body);
    const headers: Record<string, string> = this.credential ? await signRequest(this.credential, { method, path, query, body: bytes }) : {};
    if (bytes) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(query ? `${path}?${query}` : path, {
        method,
        headers,
        cache: 'no-store',
        ...(bytes ? { body: bytes as BodyInit } : {}),
      });
    } catch {
      throw new ApiError(0, 'the server cannot be reached', 0);
    }
    let json: { code?: number; message?: string; data?: unknown };
    try {
      json = (await response.json()) as typeof json;
    } catch {
      throw new ApiError(0, `unexpected answer from the server (HTTP ${response.status})`, response.status);
    }
    if (!response.ok || json.code !== 0) {
      throw new ApiError(json.code ?? 0, json.message ?? `HTTP ${response.status}`, response.status);
    }
    return json.data as T;
  }
}

/** Failures worth retrying by themselves: network, rate limit, stream capacity, server trouble. */
export function isTransient(error: ApiError): boolean {
  return error.code === 0 || error.code === 301606 || error.code === 429001 || error.code === 301602 || error.httpStatus >= 500;
}
