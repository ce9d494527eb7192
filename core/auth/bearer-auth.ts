/**
 * The `onRequest` hook every bearer-token auth plugin needs: skip routes marked `auth: 'none'`,
 * take the token from `Authorization: Bearer`, turn it into a principal with the plugin's own
 * `authenticate`, or answer 401 (503 when the issuer's keys are unreachable) with the challenge
 * that points the client at the gateway's metadata. The token is checked on every request, so an
 * expired token ends access at once.
 */
import type { GatewayContext, Logger, Principal, RequestHook } from '../context.ts';
import { requestHeader } from '../http/request-header.ts';
import { bearerToken } from './bearer.ts';
import { unauthorizedResponse } from './challenges.ts';
import { AuthFailure } from './failure.ts';

export interface BearerAuthOptions {
  /** A principal for the credential, or an `AuthFailure` thrown. */
  readonly authenticate: (credential: string, c: GatewayContext) => Promise<Principal>;
  /** Where the credential is (default: the `Authorization: Bearer` token). */
  readonly credential?: (c: GatewayContext) => string | undefined;
  /** The URL of the gateway's protected resource metadata (for `WWW-Authenticate`). */
  readonly resourceMetadata: () => string;
  readonly logger: Logger;
}

export function bearerAuth(options: BearerAuthOptions): RequestHook {
  return async function authenticateBearer(c, next) {
    if (c.get('route').auth === 'none') return next();
    const credential = options.credential ? options.credential(c) : bearerToken(requestHeader(c, 'authorization'));
    try {
      if (!credential) throw new AuthFailure('missing_token', 'this endpoint needs an access token (Authorization: Bearer)');
      c.set('principal', await options.authenticate(credential, c));
    } catch (error) {
      const failure = error instanceof AuthFailure ? error : new AuthFailure('malformed', 'the token could not be checked', { cause: error });
      if (!(error instanceof AuthFailure)) options.logger.error({ err: error }, 'unexpected error while authenticating');
      c.get('logger').info({ reason: failure.reason, detail: failure.message }, 'authentication refused');
      c.set('authFailure', failure.reason);
      return unauthorizedResponse(options.resourceMetadata(), failure);
    }
    return next();
  };
}
