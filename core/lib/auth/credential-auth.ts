/**
 * The `onRequest` hook every auth plugin needs, whatever its scheme: skip routes marked `auth:
 * 'none'`, take the credential from the request, turn it into a principal with the plugin's own
 * `authenticate`, or answer 401 with the plugin's own challenge (503 when the failure is
 * `keys_unavailable`). The credential is checked on every request, so a revoked one ends access at
 * once. Refusals are logged with their reason only: never the credential.
 */
import type { GatewayContext, Logger, Principal, RequestHook } from '../../kernel/context.ts';
import { refusalResponse, type Challenge } from './challenges.ts';
import { AuthFailure } from './failure.ts';

export interface CredentialAuthOptions {
  /** The credential the request presents (a header's value, a token), or undefined when it has none. */
  readonly credential: (c: GatewayContext) => string | undefined;
  /**
   * A principal for the credential, or an `AuthFailure` thrown: `invalid_credential` for one that
   * matches nothing, `expired`, ... Anything else thrown is logged and refused as `malformed`.
   */
  readonly authenticate: (credential: string, c: GatewayContext) => Promise<Principal>;
  /**
   * The `WWW-Authenticate` challenge of a 401: the scheme the client should use and its parameters
   * (`{ scheme: 'ApiKey', params: { header: 'x-api-key' } }`). Only an OAuth resource server
   * answers `Bearer resource_metadata=...` (that is `bearerAuth`): a client that reads it starts
   * an OAuth flow.
   */
  readonly challenge: Challenge | ((failure: AuthFailure, c: GatewayContext) => Challenge);
  /** What a client that sent no credential is told (`this endpoint needs an API key (x-api-key)`). */
  readonly missing: string;
  readonly logger: Logger;
}

export function credentialAuth(options: CredentialAuthOptions): RequestHook {
  const { challenge } = options;
  const challengeFor = typeof challenge === 'function' ? challenge : () => challenge;
  return async function authenticateCredential(c, next) {
    if (c.get('route').auth === 'none') return next();
    const credential = options.credential(c);
    try {
      if (!credential) throw new AuthFailure('missing_token', options.missing);
      c.set('principal', await options.authenticate(credential, c));
    } catch (error) {
      const failure =
        error instanceof AuthFailure
          ? error
          : new AuthFailure('malformed', 'the credential could not be checked', { cause: error });
      if (!(error instanceof AuthFailure))
        options.logger.error({ err: error }, 'unexpected error while authenticating');
      c.get('logger').info({ reason: failure.reason, detail: failure.message }, 'authentication refused');
      c.set('authFailure', failure.reason);
      return refusalResponse(failure, challengeFor(failure, c));
    }
    return next();
  };
}
