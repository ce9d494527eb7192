/**
 * Upstream transport for MCP servers that speak Streamable HTTP (`type: streamable-http`). Each
 * client gets its own upstream session by default (`per-client`): upstream sessions are cheap
 * over HTTP, and server-to-client requests then reach the right client.
 */
import { definePlugin, type TransportFactory, type UpstreamServer } from 'mcp-gateway';
import { HttpClient, httpServerSettings, type HttpServerSettings, UpstreamCredentials } from 'mcp-gateway/http';
import { HttpChannel } from './http-channel.ts';

export default definePlugin({
  name: 'streamable-http',
  version: '1.1.0',
  // 1.2: `modernRequestHeaders`, for upstreams of the 2026-07-28 era.
  kernel: '^1.2.0',
  transport: { type: 'streamable-http', schema: httpServerSettings('the MCP endpoint'), sessions: 'per-client' },
  setup(ctx) {
    // One keep-alive connection pool per server, shared by its control connection and every
    // client's upstream session: connections stay few however many sessions there are. Likewise
    // one set of credentials per server: an OAuth 2 token is fetched once for all its sessions.
    const servers = new Map<
      UpstreamServer<HttpServerSettings>,
      { pool: HttpClient; credentials: UpstreamCredentials }
    >();
    const factory: TransportFactory<HttpServerSettings> = {
      open: async (server, { logger, resume }) => {
        let shared = servers.get(server);
        if (!shared) {
          shared = {
            pool: new HttpClient(new URL(server.connection.connection.url)),
            credentials: new UpstreamCredentials(server.name, server.connection, { logger }),
          };
          servers.set(server, shared);
        }
        return new HttpChannel(shared.pool, shared.credentials, logger, resume);
      },
      release: (server) => {
        servers.get(server)?.pool.close();
        servers.delete(server);
      },
    };
    ctx.provide('transport:streamable-http', factory as TransportFactory);
    return {
      onShutdown: () => {
        for (const { pool } of servers.values()) pool.close();
      },
    };
  },
});
