/**
 * Authentication with JWT access tokens from any OpenID Connect / OAuth 2 issuer (Keycloak, Auth0,
 * Entra ID, Okta, ...), built from the kernel's public building blocks only: bearer extraction,
 * JWT verification against the issuer's keys, the 401 challenge and the protected resource
 * metadata. Options come from its entry in `plugins:` or the top-level `oidc:` section.
 */
import { definePlugin, duration, z } from 'mcp-gateway';
import {
  bearerAuth,
  createJwtVerifier,
  defaultAlgorithms,
  principalFromClaims,
  serveProtectedResourceMetadata,
  resourceMetadataOf,
} from 'mcp-gateway/auth';

const stringOrList = z.union([
  z
    .string()
    .min(1)
    .transform((value) => [value]),
  z.array(z.string().min(1)).min(1),
]);

export const oidcOptions = z.strictObject({
  /** The `iss` of accepted tokens; keys are discovered from it. */
  issuer: z.url(),
  /** The issuer's JWKS URL, when it has no discovery document. */
  jwks_uri: z.url().optional(),
  /** Accepted `aud` values. Default: the gateway's own identifiers (server.url and its /mcp URL). */
  audience: stringOrList.optional(),
  algorithms: z
    .array(z.enum(defaultAlgorithms as [string, ...string[]]))
    .min(1)
    .optional(),
  /** Tolerated clock difference for exp / nbf. */
  clock_tolerance: duration.prefault('30s'),
  /** Shortest time between two fetches of the issuer's keys (an unknown key id triggers one). */
  key_refresh_cooldown: duration.prefault('30s'),
  subject_claim: z.string().min(1).default('sub'),
  /** Claims that hold the token's scopes (space-separated string or array). */
  scope_claims: z.array(z.string().min(1)).default(['scope', 'scp']),
  /** Announced in the protected resource metadata; default: the issuer. */
  authorization_servers: z.array(z.url()).optional(),
  scopes_supported: z.array(z.string()).optional(),
});

type OidcOptions = z.output<typeof oidcOptions>;

export default definePlugin({
  name: 'oidc',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'oidc',
  configSchema: oidcOptions,
  setup(ctx) {
    const { gateway } = ctx;
    const load = (options: OidcOptions) => ({
      options,
      verifier: createJwtVerifier({
        issuer: options.issuer,
        jwksUri: options.jwks_uri,
        audience: options.audience ?? (() => [gateway.urls.base, ...gateway.endpoints().map((e) => e.url)]),
        algorithms: options.algorithms,
        clockToleranceSeconds: options.clock_tolerance / 1000,
        keyRefreshCooldownMs: options.key_refresh_cooldown,
      }),
    });
    /** The issuer, audience and claims in force; a reload (SIGHUP) replaces them whole, the next token is checked against them. */
    let current = load(ctx.options);
    serveProtectedResourceMetadata(ctx, () => ({
      authorizationServers: current.options.authorization_servers ?? [current.options.issuer],
      scopesSupported: current.options.scopes_supported,
    }));
    return {
      onRequest: bearerAuth({
        logger: ctx.logger,
        resourceMetadata: (c) => resourceMetadataOf(gateway, c.req.path),
        authenticate: async (token) => {
          const { options, verifier } = current;
          return principalFromClaims(await verifier.verify(token), {
            subjectClaim: options.subject_claim,
            scopeClaims: options.scope_claims,
            provider: 'oidc',
          });
        },
      }),
      onReload({ options }) {
        current = load(options);
        ctx.logger.info(
          { issuer: options.issuer, audience: options.audience ?? 'the gateway' },
          'oidc options reloaded',
        );
      },
    };
  },
});
