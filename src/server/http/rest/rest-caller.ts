import { HttpErrorCode, httpError, internalError } from '../../../model/errors.js';
import { credentialGeneration, usableAt, type Credential, type CredentialRegistry } from '../../auth/credential.js';
import type { HttpRequestContext } from '../http-api.js';
import type { StreamTokenIssuer } from './stream-tokens.js';

export interface CallerResolverOptions {
  credentials: CredentialRegistry;
  tokens: StreamTokenIssuer;
  /** App key that unauthenticated REST/SSE requests act as (`serve --web-credential`). */
  publicCredential?: string | undefined;
  now?: () => number;
}

/**
 * Who is calling a REST or SSE endpoint. A request carrying `X-Api-Key` or `Authorization` is
 * verified exactly like the socket-token endpoint (LongPort signature over method, path, query and
 * body); the stream also takes `?token=` from `POST /api/v1/stream-token`; anything else acts as the
 * public credential when the server has one, and is refused otherwise.
 */
export class CallerResolver {
  private readonly now: () => number;

  constructor(private readonly options: CallerResolverOptions) {
    this.now = options.now ?? Date.now;
  }

  get publicMode(): boolean {
    return this.options.publicCredential !== undefined;
  }

  resolve(context: HttpRequestContext, acceptStreamToken = false): Credential {
    const headers = context.request.headers;
    if (headers['x-api-key'] !== undefined || headers.authorization !== undefined) return context.authenticate();
    const token = acceptStreamToken ? context.searchParams.get('token') : null;
    if (token !== null) {
      const redeemed = this.options.tokens.redeem(token);
      const credential = redeemed === undefined ? undefined : this.usable(redeemed.appKey);
      // A token minted before a rotation or revocation is void, like every grant of the old token.
      if (!credential || credentialGeneration(credential) !== redeemed?.generation) {
        throw httpError(401, HttpErrorCode.UnknownAccessToken, 'stream token unknown, already used or expired: get a new one from POST /api/v1/stream-token');
      }
      return credential;
    }
    const publicKey = this.options.publicCredential;
    if (publicKey !== undefined) {
      const credential = this.usable(publicKey);
      if (!credential) throw internalError(`the public credential ${publicKey} is not configured or has expired`);
      return credential;
    }
    return context.authenticate(); // unsigned: answers 401001 with the reason
  }

  private usable(appKey: string): Credential | undefined {
    const credential = this.options.credentials.byAppKey(appKey);
    return credential && usableAt(credential, this.now()) ? credential : undefined;
  }
}
