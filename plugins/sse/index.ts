/**
 * Upstream transport for MCP servers that speak the legacy HTTP+SSE transport (`type: sse`,
 * protocol 2024-11-05): a GET event stream for everything the server sends, and POSTs to the
 * endpoint it names for everything the gateway sends.
 */
import { definePlugin, httpServerSettings, upstreamHeaders, type HttpServerSettings, type TransportFactory } from 'mcp-gateway';
import { openSseChannel } from './sse-channel.ts';

export default definePlugin({
  name: 'sse',
  version: '1.0.0',
  kernel: '^1.0.0',
  transport: { type: 'sse', schema: httpServerSettings('the SSE endpoint'), sessions: 'per-client' },
  setup(ctx) {
    const factory: TransportFactory<HttpServerSettings> = {
      open: (server, { logger, signal }) =>
        openSseChannel(new URL(server.connection.connection.url), upstreamHeaders(server.connection), logger, signal),
    };
    ctx.provide('transport:sse', factory as TransportFactory);
  },
});
