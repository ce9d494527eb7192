/**
 * The `onRequest` hook of an OAuth resource server (the MCP authorization spec): `credentialAuth`
 * with the token from `Authorization: Bearer` and a challenge that points the client at the
 * gateway's protected resource metadata, which the plugin serves with
 * `serveProtectedResourceMetadata`. A plugin that is not an OAuth resource server (API keys, Basic)
 * uses `credentialAuth` with its own scheme: a Bearer challenge would send clients into an OAuth flow.
 */
import type { GatewayContext, Logger, Principal, RequestHook } from '../../kernel/context.ts';
import { requestHeader } from '../request-header.ts';
import { bearerToken } from './bearer.ts';
import { bearerChallenge } from './challenges.ts';
import { credentialAuth } from './credential-auth.ts';

export interface BearerAuthOptions {
  /** A principal for the token, or an `AuthFailure` thrown. */
  readonly authenticate: (credential: string, c: GatewayContext) => Promise<Principal>;
  /** Where the token is (default: the `Authorization: Bearer` token). */
  readonly credential?: (c: GatewayContext) => string | undefined;
  /**
   * The URL of the protected resource metadata of the request's endpoint (for `WWW-Authenticate`):
   * `(c) => resourceMetadataOf(gateway, c.req.path)`.
   */
  readonly resourceMetadata: (c: GatewayContext) => string;
  readonly logger: Logger;
}

export function bearerAuth(options: BearerAuthOptions): RequestHook {
  return credentialAuth({
    logger: options.logger,
    authenticate: async (credential, c) => ({ ...(await options.authenticate(credential, c)), oauth: true }),
    credential: options.credential ?? ((c) => bearerToken(requestHeader(c, 'authorization'))),
    missing: 'this endpoint needs an access token (Authorization: Bearer)',
    challenge: (failure, c) => bearerChallenge(options.resourceMetadata(c), failure),
  });
}
