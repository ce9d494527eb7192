/**
 * Tool search, for catalogues too large to list: `tools/list` shows three tools instead of every
 * one (`search_tools`, `describe_tool`, `call_tool`, tools.ts), so that a model spends its context
 * on the few tools a task needs. The search ranks only the tools the caller may use (what its
 * `tools/list` would have shown, every other plugin's list hook applied), with BM25 over names,
 * descriptions and parameters (ranking.ts); the index follows the catalogue (live-index.ts). A
 * call made through `call_tool` is the caller's own call of the real tool: permissions, rate
 * limits, the cache, audit and metrics see that tool.
 */
import { definePlugin, ErrorCodes, GatewayError, RpcCodes, type ToolItem } from 'mcp-gateway';
import { LiveIndex } from './live-index.ts';
import { optionsSchema, type ToolSearchOptions } from './options.ts';
import { definitions, toolHandlers } from './tools.ts';

export default definePlugin({
  name: 'tool-search',
  version: '1.0.0',
  kernel: '^1.5.0',
  section: 'tool_search',
  configSchema: optionsSchema,
  setup(ctx) {
    const endpoints = ctx.gateway.endpoints().map((e) => e.name);
    let options = checked(ctx.options, endpoints);
    /** Whether search is on at an endpoint. */
    const searching = (endpoint: string) => options.endpoints?.includes(endpoint) ?? true;
    const own = ctx.name;
    const isOwn = (item: ToolItem) => item.server === own;
    const index = new LiveIndex(
      () => ctx.gateway.catalogue().tools,
      (item) => !isOwn(item),
    );
    const handlers = toolHandlers({ index, own, results: () => options });
    for (const definition of definitions) {
      const handler = handlers[definition.name as keyof typeof handlers];
      ctx.serveTool(definition, (call, caller) => {
        // Where search is off, these tools do not exist: answered as the gateway answers any unknown name.
        if (!searching(call.endpoint)) throw unknownTool(call.name);
        return handler(call, caller);
      });
    }

    /**
     * The list a client sees where search is on: this plugin's tools that the other list hooks left
     * (permissions may hide them); elsewhere, every other tool.
     */
    const searchLists = new WeakMap<readonly ToolItem[], readonly ToolItem[]>();
    const fullLists = new WeakMap<readonly ToolItem[], readonly ToolItem[]>();
    const shown = (items: readonly ToolItem[], search: boolean) => {
      const lists = search ? searchLists : fullLists;
      let list = lists.get(items);
      if (!list) lists.set(items, (list = items.filter((item) => isOwn(item) === search)));
      return list;
    };

    return {
      onListTools: {
        // After every other list hook: what they leave of this plugin's tools is what the caller may use.
        order: 'post',
        handler: (items, op) => shown(items, searching(op.endpoint)),
      },
      // The index follows the catalogue as soon as it changes, so that searches need not wait.
      onEvent(event) {
        if (event.type === 'catalogue') void index.current();
      },
      onReload({ options: next }) {
        options = checked(next, endpoints);
      },
    };
  },
});

/** The options, once their endpoints are known to exist (a typo would leave an endpoint listing everything). */
function checked(options: ToolSearchOptions, endpoints: readonly string[]): ToolSearchOptions {
  for (const name of options.endpoints ?? []) {
    if (!endpoints.includes(name))
      throw new GatewayError(
        ErrorCodes.CONFIG,
        `tool_search.endpoints: the gateway has no endpoint "${name}" (it has: ${endpoints.join(', ')}); declare it under endpoints: or fix the name`,
      );
  }
  return options;
}

const unknownTool = (name: string) =>
  new GatewayError(ErrorCodes.UNKNOWN_NAME, `Unknown tool: ${name}`, { rpcCode: RpcCodes.INVALID_PARAMS });
