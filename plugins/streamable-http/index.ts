/**
 * Upstream transport for MCP servers that speak Streamable HTTP (`type: streamable-http`). Each
 * client gets its own upstream session by default (`per-client`): upstream sessions are cheap
 * over HTTP, and server-to-client requests then reach the right client.
 */
import { definePlugin, HttpClient, httpServerSettings, upstreamHeaders, type HttpServerSettings, type TransportFactory } from 'mcp-gateway';
import { HttpChannel } from './http-channel.ts';

export default definePlugin({
  name: 'streamable-http',
  version: '1.0.0',
  kernel: '^1.0.0',
  transport: { type: 'streamable-http', schema: httpServerSettings('the MCP endpoint'), sessions: 'per-client' },
  setup(ctx) {
    // One keep-alive connection pool per server, shared by its control connection and every
    // client's upstream session: connections stay few however many sessions there are.
    const pools = new Map<string, HttpClient>();
    const factory: TransportFactory<HttpServerSettings> = {
      open: async (server, { logger }) => {
        const url = server.connection.connection.url;
        let pool = pools.get(server.name);
        if (!pool) pools.set(server.name, (pool = new HttpClient(new URL(url))));
        return new HttpChannel(pool, upstreamHeaders(server.connection), logger);
      },
    };
    ctx.provide('transport:streamable-http', factory as TransportFactory);
    return {
      onShutdown: () => {
        for (const pool of pools.values()) pool.close();
      },
    };
  },
});
