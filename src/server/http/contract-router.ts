import type { ServerResponse } from 'node:http';
import type { Static, TSchema } from '@sinclair/typebox';
import { readQuery } from '../../contract/query.js';
import { ROUTES, type RateLimit, type RouteName, type Routes } from '../../contract/routes.js';
import { rateLimitFor, SOCKET_TOKEN_RATE_KEY, type Credential } from '../auth/credential.js';
import { takeToken, type CommandRateLimiter } from '../rate-limit/token-bucket.js';
import type { HttpApi, HttpRequestContext } from './http-api.js';

/** Who calls: the signature, a stream token or the public credential (the REST layer knows how). */
export interface CallerCheck {
  resolve(context: HttpRequestContext, acceptStreamToken: boolean): Credential;
}

/** A call of a contract route, its caller and query already checked as the route says. */
export interface RouteCall<N extends RouteName> {
  readonly context: HttpRequestContext;
  /** The caller (undefined on routes anyone may call). */
  readonly credential: Routes[N]['access'] extends 'none' ? undefined : Credential;
  /** The route's query parameters, typed (`days` a number…). */
  readonly query: Static<Routes[N]['query']>;
}

type Answer<N extends RouteName> = Routes[N]['answer'] extends { kind: 'envelope' } ? 'envelope' : 'raw';

/** The `data` an envelope route answers with, as the contract's schema types it. */
export type EnvelopeData<N extends RouteName> = Routes[N]['answer'] extends { readonly kind: 'envelope'; readonly data: infer D extends TSchema } ? Static<D> : never;

export interface ContractRouterOptions {
  callers: CallerCheck;
  /** The server's limiter: a route's bucket is shared with the socket command it mirrors. */
  rateLimiter: CommandRateLimiter;
}

/**
 * Serves the contract's routes (src/contract/routes.ts) on the HTTP router: each route's method
 * and path, who may call it, the rate-limit bucket it draws on and its query parameters come
 * from that one definition; a handler gets the checked call and answers the route's payload.
 * In order: the caller (401/403), the route's bucket (429), the query (400), then the handler.
 */
export class ContractRouter {
  private readonly bound = new Set<RouteName>();

  constructor(
    private readonly api: HttpApi,
    private readonly options: ContractRouterOptions,
  ) {}

  /** A route answered in LongPort's envelope: the handler returns its `data`. */
  envelope<N extends RouteName>(name: Answer<N> extends 'envelope' ? N : never, handler: (call: RouteCall<N>) => EnvelopeData<N> | Promise<EnvelopeData<N>>): this {
    const route = this.bind(name);
    this.api.json(route.method, route.path, (context) => this.admit(name, context, handler));
    return this;
  }

  /** A route that writes its own answer (a plain JSON body, text or an event stream). */
  raw<N extends RouteName>(name: N, handler: (call: RouteCall<N>, response: ServerResponse) => void | Promise<void>): this {
    const route = this.bind(name);
    this.api.raw(route.method, route.path, (context, response) => this.admit(name, context, (call) => handler(call, response)) as void | Promise<void>);
    return this;
  }

  /** Routes of the contract without a handler yet (none once the server is composed). */
  unbound(): RouteName[] {
    return (Object.keys(ROUTES) as RouteName[]).filter((name) => !this.bound.has(name));
  }

  private bind(name: RouteName): Routes[RouteName] {
    if (this.bound.has(name)) throw new Error(`route ${name} is served twice`);
    this.bound.add(name);
    return ROUTES[name];
  }

  /** Caller, bucket and query, then the handler: synchronously when the limiter answers at once. */
  private admit<N extends RouteName, T>(name: N, context: HttpRequestContext, handler: (call: RouteCall<N>) => T): T | Promise<Awaited<T>> {
    const route = ROUTES[name];
    const credential =
      route.access === 'none' ? undefined : route.access === 'signed' ? context.authenticate() : this.options.callers.resolve(context, route.access === 'stream');
    const next = (): T => handler({ context, credential, query: readQuery(route.query, context.searchParams) } as RouteCall<N>);
    const rateLimit = 'rateLimit' in route ? (route.rateLimit as RateLimit) : undefined;
    const taken = credential && rateLimit ? this.takeToken(credential, rateLimit) : undefined;
    return taken instanceof Promise ? (taken.then(next) as Promise<Awaited<T>>) : next();
  }

  /** One token of the route's bucket; a batch's per-symbol tokens are taken symbol by symbol by its handler. */
  private takeToken(credential: Credential, rateLimit: RateLimit): void | Promise<void> {
    if ('perSymbol' in rateLimit) return;
    const key = 'command' in rateLimit ? rateLimit.command : SOCKET_TOKEN_RATE_KEY;
    const rule = rateLimitFor(credential, key);
    if (!rule) return;
    const what = 'command' in rateLimit ? `command ${rateLimit.command} (shared with the socket API)` : 'the socket-token endpoints';
    return takeToken(this.options.rateLimiter, credential.appKey, key, rule, what);
  }
}
