/**
 * Upstream transport for MCP servers that speak the legacy HTTP+SSE transport (`type: sse`,
 * protocol 2024-11-05): a GET event stream for everything the server sends, and POSTs to the
 * endpoint it names for everything the gateway sends.
 */
import { definePlugin, type TransportFactory, type UpstreamServer } from 'mcp-gateway';
import { httpServerSettings, type HttpServerSettings, UpstreamCredentials } from 'mcp-gateway/http';
import { openSseChannel } from './sse-channel.ts';

export default definePlugin({
  name: 'sse',
  version: '1.0.0',
  kernel: '^1.0.0',
  transport: { type: 'sse', schema: httpServerSettings('the SSE endpoint'), sessions: 'per-client' },
  setup(ctx) {
    // One set of credentials per server, shared by all its sessions (one OAuth 2 token for all).
    const credentials = new Map<UpstreamServer<HttpServerSettings>, UpstreamCredentials>();
    const factory: TransportFactory<HttpServerSettings> = {
      open: (server, { logger, signal }) => {
        let shared = credentials.get(server);
        if (!shared)
          credentials.set(server, (shared = new UpstreamCredentials(server.name, server.connection, { logger })));
        return openSseChannel(new URL(server.connection.connection.url), shared, logger, signal);
      },
      release: (server) => void credentials.delete(server),
    };
    ctx.provide('transport:sse', factory as TransportFactory);
  },
});
