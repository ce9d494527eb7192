/**
 * What an HTTP upstream's entry in `proxy.servers` holds (`connection: { url, headers }` and
 * `auth:`), shared by the HTTP transport plugins. Credentials are the gateway's own, typically
 * from `${ENV}` references: the client's token is never passed upstream (MCP spec: no token
 * passthrough).
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

/** The headers every request to the server carries: its configured ones and its credentials. */
export function upstreamHeaders(settings: HttpServerSettings): Record<string, string> {
  const headers = Object.fromEntries(Object.entries(settings.connection.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const { auth } = settings;
  if (auth?.type === 'header') headers[auth.header.toLowerCase()] = auth.value;
  if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
  return headers;
}
