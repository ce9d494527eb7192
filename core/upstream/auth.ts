/**
 * Credentials the gateway presents to an HTTP upstream, per server (`proxy.servers[].auth`).
 * They are the gateway's own, typically from `${ENV}` references: the client's token is never
 * passed upstream (MCP spec: no token passthrough). Shared by the HTTP transport plugins.
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

/** The headers that carry the credentials. */
export function upstreamAuthHeaders(auth: UpstreamAuth | undefined): Record<string, string> {
  if (!auth) return {};
  if (auth.type === 'header') return { [auth.header.toLowerCase()]: auth.value };
  return { authorization: `Bearer ${auth.token}` };
}
