/**
 * Authentication with Okta access tokens, configured as in the original gateway (`oauth:` and the
 * `OKTA_*` variables). Tokens are verified against the issuer's keys (JWKS discovered, cached,
 * refetched on an unknown key id), for `iss`, `aud`, `exp`/`nbf`, and an algorithm allow list.
 * Okta's `scp` claim gives the scopes; when a token has no `groups` claim and the group lookup is
 * configured, the user's groups come from the Okta API, for the permissions plugin to map.
 */
import { definePlugin } from 'mcp-gateway';
import {
  bearerAuth,
  createJwtVerifier,
  principalFromClaims,
  resourceMetadataOf,
  serveProtectedResourceMetadata,
} from 'mcp-gateway/auth';
import { OktaGroups } from './groups.ts';
import { oktaOptions } from './options.ts';

export default definePlugin({
  name: 'auth-okta',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: ['oauth', 'okta'],
  configSchema: oktaOptions,
  setup(ctx) {
    const { gateway, logger } = ctx;
    if (!ctx.options.enabled) {
      logger.warn('oauth.enabled is false: requests are not authenticated');
      return;
    }
    const load = (options: typeof ctx.options) => {
      const groups = options.groupLookup && new OktaGroups(options.groupLookup, logger);
      logger.info({ issuer: options.issuer, groupLookup: Boolean(groups) }, 'Okta authentication on');
      return {
        options,
        groups,
        verifier: createJwtVerifier({
          issuer: options.issuer,
          audience:
            options.audience ??
            (() => [
              gateway.urls.base,
              ...gateway.endpoints().map((e) => e.url),
              ...(options.resource ? [options.resource] : []),
            ]),
          clockToleranceSeconds: options.clockToleranceMs / 1000,
          keyRefreshCooldownMs: options.keyRefreshCooldownMs,
        }),
      };
    };
    /** The issuer, audience and group lookup in force; a reload (SIGHUP) replaces them whole. */
    let current = load(ctx.options);
    serveProtectedResourceMetadata(ctx, () => ({
      authorizationServers: current.options.authorizationServers,
      scopesSupported: current.options.scopesSupported,
    }));

    return {
      onReload({ options }) {
        if (!options.enabled) throw new Error('turning Okta authentication off takes a restart (oauth.enabled: false)');
        current = load(options);
      },
      onRequest: bearerAuth({
        logger,
        resourceMetadata: (c) => resourceMetadataOf(gateway, c.req.path),
        async authenticate(token, c) {
          const { verifier, groups } = current;
          const principal = principalFromClaims(await verifier.verify(token), {
            scopeClaims: ['scp', 'scope'],
            provider: 'auth-okta',
          });
          if (!groups || principal.claims.groups !== undefined) return principal;
          const user = typeof principal.claims.uid === 'string' ? principal.claims.uid : principal.subject;
          try {
            return { ...principal, claims: { ...principal.claims, groups: await groups.groupsOf(user) } };
          } catch (error) {
            // Authenticated, but without groups: group-based permissions deny, which is the safe side.
            c.get('logger').warn({ err: error, user }, 'Okta group lookup failed');
            return principal;
          }
        },
      }),
    };
  },
});
