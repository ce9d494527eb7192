/**
 * The upstream transport of `mcp-gateway/testing`: servers of `type: in-process` are MCP servers
 * made in the test's own process (the SDK's `McpServer` or `Server`), connected over the SDK's
 * in-memory transport. Each channel gets a server of its own from the test's factory, as each
 * connection of a real server would.
 */
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { definePlugin, type PluginDefinition } from '../kernel/plugin.ts';
import { z } from 'zod';
import { ErrorCodes, GatewayError } from '../kernel/errors.ts';
import type { TransportFactory } from '../kernel/transport.ts';
import { MessageChannel } from '../lib/message-channel.ts';

/** An MCP server the test makes: the SDK's `McpServer` or low-level `Server` will do. */
export interface InProcessServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** Makes one server per connection the gateway opens to it. */
export type ServerFactory = () => InProcessServer | Promise<InProcessServer>;

export const IN_PROCESS_TYPE = 'in-process';

const settingsSchema = z.strictObject({});

/** The transport plugin serving `servers` by name. */
export function inProcessServers(servers: Readonly<Record<string, ServerFactory>>): PluginDefinition {
  return definePlugin({
    name: 'mcp-gateway/testing:in-process-servers',
    version: '1.0.0',
    transport: { type: IN_PROCESS_TYPE, schema: settingsSchema, sessions: 'per-client' },
    setup(ctx) {
      const factory: TransportFactory = {
        async open(server) {
          const make = servers[server.name];
          if (!make)
            throw new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, `no in-process server named "${server.name}"`);
          const [gatewaySide, serverSide] = InMemoryTransport.createLinkedPair();
          const mcpServer = await make();
          const channel = new MessageChannel({
            write: (message) => gatewaySide.send(message),
            close: async () => {
              await gatewaySide.close();
              await mcpServer.close();
            },
          });
          gatewaySide.onmessage = (message) => channel.receive(message);
          gatewaySide.onclose = () => channel.lost();
          await gatewaySide.start();
          await mcpServer.connect(serverSide);
          return channel;
        },
      };
      ctx.provide(`transport:${IN_PROCESS_TYPE}`, factory);
    },
  });
}
