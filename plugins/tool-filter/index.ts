/**
 * Curated catalogues: per upstream server, which tools, prompts and resources clients see, under
 * which names, with which descriptions and annotations. It shapes each server's lists where the
 * gateway builds its catalogue (`onCatalogue`), so a hidden item is gone for everyone and
 * everywhere (lists, calls, completions, the status page, `list_changed`) and a renamed one is
 * routed by its new name only, while audit records keep the upstream's name beside it.
 */
import { definePlugin, type Logger, type RequestId, RpcCodes } from 'mcp-gateway';
import { optionsSchema, type ToolFilterOptions } from './options.ts';
import { serverShaper, type ServerShaper } from './shape.ts';

export default definePlugin({
  name: 'tool-filter',
  version: '1.0.0',
  kernel: '^1.4.0',
  section: 'tool_filter',
  configSchema: optionsSchema,
  setup(ctx) {
    const { logger } = ctx;
    /** The rules in force; a reload replaces them whole (the gateway then rebuilds the catalogue). */
    let shapers = compile(
      ctx.options,
      ctx.config.proxy.servers.map((s) => s.name),
      logger,
    );
    /** Servers whose lists were checked for rules that name nothing, since the rules came into force. */
    let checked = new Set<string>();

    return {
      onCatalogue(lists) {
        const shaper = shapers.get(lists.server);
        if (!shaper) return;
        // Once per server, on lists it really sent (a server down since boot has none).
        if (lists.ready && !checked.has(lists.server)) {
          checked.add(lists.server);
          for (const label of shaper.unmatched(lists)) {
            logger.warn(
              { server: lists.server, rule: label },
              `tool_filter.servers.${lists.server}.${label} matches nothing server "${lists.server}" lists`,
            );
          }
        }
        return shaper.shape(lists);
      },
      // A URI that no list shows is still reachable through a template or as
      // `mcp-gateway:<server>:<uri>` (read, subscribed to, completed): the resource rules hold for
      // it too. Tools and prompts need no such guard: calls are routed by exact lookup in the
      // shaped catalogue, so a hidden or old name is unknown there.
      async onMcpMessage(message, next) {
        const { target } = message;
        if (target?.kind !== 'resource' || shapers.get(target.server)?.keepsResource(target.name) !== false) {
          return next();
        }
        return unknownResource(message.id, target.exposed);
      },
      onReload({ options }) {
        shapers = compile(
          options,
          ctx.gateway.status().upstreams.map((u) => u.name),
          logger,
        );
        checked = new Set();
      },
    };
  },
});

function compile(options: ToolFilterOptions, servers: readonly string[], logger: Logger): Map<string, ServerShaper> {
  for (const server of Object.keys(options.servers)) {
    if (!servers.includes(server)) {
      logger.warn({ server }, `tool_filter.servers.${server} names a server that is not in proxy.servers`);
    }
  }
  return new Map(Object.entries(options.servers).map(([server, rules]) => [server, serverShaper(rules)]));
}

/** The answer the gateway gives for a resource it does not know (a JSON-RPC error naming the URI). */
function unknownResource(id: RequestId | undefined, uri: string): Response {
  const error = { code: RpcCodes.INVALID_PARAMS, message: `Unknown resource: ${uri}`, data: { uri } };
  return new Response(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error }), {
    headers: { 'content-type': 'application/json' },
  });
}
