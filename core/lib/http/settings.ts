/**
 * What an HTTP upstream's entry in `proxy.servers` holds (`connection: { url, headers }` and
 * `auth:`), shared by the HTTP transport plugins. Credentials are the gateway's own, typically
 * from `${ENV}` references: the client's token is never passed upstream (MCP spec: no token
 * passthrough). `UpstreamCredentials` (credentials.ts) turns them into request headers.
 */
import { z } from 'zod';

export const upstreamAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({
    /** A static header, e.g. an API key: `header: x-api-key`, `value: ${API_KEY}`. */
    type: z.literal('header'),
    header: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'),
    value: z.string().min(1),
  }),
  z.strictObject({
    /** `Authorization: Bearer <token>`. */
    type: z.literal('bearer'),
    token: z.string().min(1),
  }),
  z.strictObject({
    /**
     * The OAuth 2 client credentials grant (RFC 6749 §4.4): the gateway gets its own access token
     * from `token_url` and sends it as `Authorization: Bearer <token>` (see credentials.ts).
     */
    type: z.literal('oauth2'),
    token_url: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the token endpoint' }),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    /** Space-separated scopes to ask for. */
    scope: z.string().min(1).optional(),
    /** Sent as `audience` (Auth0, Okta custom authorization servers). */
    audience: z.string().min(1).optional(),
    /** Sent as `resource` (RFC 8707 resource indicator): the upstream's URL. */
    resource: z.url({ error: 'expected an absolute URI (RFC 8707)' }).optional(),
    /** How the client authenticates to the token endpoint: HTTP Basic (client_secret_basic) or in the form (client_secret_post). */
    client_auth: z.enum(['basic', 'post']).default('basic'),
  }),
]);

export type UpstreamAuth = z.output<typeof upstreamAuthSchema>;

/** The schema of an HTTP upstream's settings; `endpoint` says what the URL points at, for errors. */
export function httpServerSettings(endpoint: string) {
  return z.strictObject({
    connection: z.strictObject({
      url: z.url({ protocol: /^https?$/, error: `expected the http(s) URL of ${endpoint}` }),
      /** Extra headers sent with every request (values may use ${ENV}). */
      headers: z.record(z.string(), z.string()).default({}),
    }),
    /** Credentials the gateway presents to this server (never the client's own token). */
    auth: upstreamAuthSchema.optional(),
  });
}

export type HttpServerSettings = z.output<ReturnType<typeof httpServerSettings>>;
