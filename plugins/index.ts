/**
 * The built-in plugins a configuration implies when it has no `plugins:` list, in load order.
 * The kernel finds this file and the plugin folders on disk by name; it imports none statically.
 */
import type { ImpliedPlugins } from 'mcp-gateway';

/** Upstream transports, by the `type:` of the servers that need them. */
const transports = ['streamable-http', 'sse', 'stdio'];

export const impliedPlugins: ImpliedPlugins = (config) => {
  const types = new Set(config.proxy.servers.map((server) => server.type));
  return ['health', ...transports.filter((type) => types.has(type))];
};
