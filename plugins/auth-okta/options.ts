/**
 * auth-okta's options, as the original gateway took them: the `oauth:` section, and the Okta
 * settings from an `okta:` section or the `OKTA_*` environment variables (the section wins).
 * Every one of them has a use; a partial set of the group-lookup credentials is an error rather
 * than silently ignored.
 */
import { duration, z } from 'mcp-gateway';

const stringOrList = z.union([
  z
    .string()
    .min(1)
    .transform((value) => [value]),
  z.array(z.string().min(1)).min(1),
]);

const oauth = z
  .strictObject({
    /** false: the plugin authenticates nothing (say so explicitly: an `oauth:` section implies true). */
    enabled: z.boolean().default(true),
    provider: z
      .literal('okta', { error: 'auth-okta serves provider "okta"; use the oidc plugin for another issuer' })
      .default('okta'),
    /** The Okta authorization server(s); the first is the issuer when OKTA_ISSUER is not set. */
    authorization_servers: z.array(z.url()).min(1).optional(),
    /** The original's resource identifier: accepted as a token audience too. */
    resource: z.url().optional(),
    /** Accepted `aud` values. Default: server.url and its /mcp URL (and `resource`). */
    audience: stringOrList.optional(),
    /** Only `header`: tokens in URLs or bodies leak into logs and caches. */
    bearer_methods_supported: z.array(z.literal('header', { error: 'only "header" is supported' })).optional(),
    scopes_supported: z.array(z.string()).optional(),
    clock_tolerance: duration.prefault('30s'),
    key_refresh_cooldown: duration.prefault('30s'),
  })
  .prefault({});

const okta = z
  .strictObject({
    /** The authorization server's issuer, e.g. https://acme.okta.com/oauth2/default (OKTA_ISSUER). */
    issuer: z.url().optional(),
    /** The org, e.g. https://acme.okta.com, for the group lookup (OKTA_ORG_URL). */
    org_url: z.url().optional(),
    /** A service app allowed to read users' groups (OKTA_CLIENT_ID). */
    client_id: z.string().min(1).optional(),
    /** Its private key, PEM (PKCS#8) or JWK JSON (OKTA_PRIVATE_KEY). */
    private_key: z.string().min(1).optional(),
    /** The key's id registered with the app (OKTA_PRIVATE_KEY_ID). */
    private_key_id: z.string().min(1).optional(),
    /** How long a user's looked-up groups are reused. */
    groups_cache_ttl: duration.prefault('5m'),
  })
  .prefault({});

const lookupKeys = ['org_url', 'client_id', 'private_key', 'private_key_id'] as const;
const envNames = {
  issuer: 'OKTA_ISSUER',
  org_url: 'OKTA_ORG_URL',
  client_id: 'OKTA_CLIENT_ID',
  private_key: 'OKTA_PRIVATE_KEY',
  private_key_id: 'OKTA_PRIVATE_KEY_ID',
};

export const oktaOptions = z.strictObject({ oauth, okta }).transform((options, ctx) => {
  const fromEnv = (key: keyof typeof envNames) => options.okta[key] ?? (process.env[envNames[key]] || undefined);
  const issuer = fromEnv('issuer') ?? options.oauth.authorization_servers?.[0];
  if (options.oauth.enabled && !issuer) {
    ctx.addIssue({
      code: 'custom',
      path: ['oauth', 'authorization_servers'],
      message: 'auth-okta needs the issuer of your Okta authorization server',
      params: { fix: 'set OKTA_ISSUER, or oauth.authorization_servers: ["https://<org>.okta.com/oauth2/default"]' },
    });
    return z.NEVER;
  }
  const lookup = Object.fromEntries(lookupKeys.map((key) => [key, fromEnv(key)])) as Record<
    (typeof lookupKeys)[number],
    string | undefined
  >;
  const given = lookupKeys.filter((key) => lookup[key] !== undefined);
  if (given.length > 0 && given.length < lookupKeys.length) {
    const missing = lookupKeys.filter((key) => lookup[key] === undefined).map((key) => envNames[key]);
    ctx.addIssue({
      code: 'custom',
      path: ['okta'],
      message: `the Okta group lookup needs all of ${lookupKeys.map((key) => envNames[key]).join(', ')}; missing ${missing.join(', ')}`,
      params: { fix: 'set the missing ones, or unset the others to turn the lookup off' },
    });
    return z.NEVER;
  }
  return {
    enabled: options.oauth.enabled,
    issuer: issuer!,
    authorizationServers: options.oauth.authorization_servers ?? (issuer ? [issuer] : []),
    resource: options.oauth.resource,
    audience: options.oauth.audience,
    scopesSupported: options.oauth.scopes_supported,
    clockToleranceMs: options.oauth.clock_tolerance,
    keyRefreshCooldownMs: options.oauth.key_refresh_cooldown,
    groupLookup:
      given.length === lookupKeys.length
        ? {
            orgUrl: lookup.org_url!,
            clientId: lookup.client_id!,
            privateKey: lookup.private_key!,
            privateKeyId: lookup.private_key_id!,
            cacheTtlMs: options.okta.groups_cache_ttl,
          }
        : undefined,
  };
});

export type OktaOptions = z.output<typeof oktaOptions>;
export type GroupLookupOptions = NonNullable<OktaOptions['groupLookup']>;
