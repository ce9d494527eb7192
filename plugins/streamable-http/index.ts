/**
 * Upstream transport for MCP servers that speak Streamable HTTP (`type: streamable-http`).
 */
import { definePlugin, upstreamAuthHeaders, upstreamAuthSchema, z, type TransportFactory } from 'mcp-gateway';
import { HttpChannel } from './http-channel.ts';

const settingsSchema = z.strictObject({
  connection: z.strictObject({
    /** The server's MCP endpoint, e.g. http://n8n:5678/mcp. */
    url: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the MCP endpoint' }),
    /** Extra headers sent with every request (values may use ${ENV}). */
    headers: z.record(z.string(), z.string()).default({}),
  }),
  /** Credentials the gateway presents to this server (never the client's own token). */
  auth: upstreamAuthSchema.optional(),
});

type Settings = z.output<typeof settingsSchema>;

export default definePlugin({
  name: 'streamable-http',
  version: '1.0.0',
  kernel: '^1.0.0',
  transport: { type: 'streamable-http', schema: settingsSchema, sessions: 'per-client' },
  setup(ctx) {
    const factory: TransportFactory<Settings> = {
      async open(server, { logger }) {
        const { connection, auth } = server.connection;
        const headers = { ...lowerCaseKeys(connection.headers), ...upstreamAuthHeaders(auth) };
        return new HttpChannel(new URL(connection.url), headers, logger);
      },
    };
    ctx.provide('transport:streamable-http', factory as TransportFactory);
  },
});

const lowerCaseKeys = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
