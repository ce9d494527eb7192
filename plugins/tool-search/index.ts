/**
 * Tool search, for catalogues too large to list: `tools/list` shows three tools instead of every
 * one (`search_tools`, `describe_tool`, `call_tool`, tools.ts), so that a model spends its context
 * on the few tools a task needs. The search ranks only the tools the caller may use (what its
 * `tools/list` would have shown, every other plugin's list hook applied), with BM25 over names,
 * descriptions and parameters (ranking.ts); the index follows the catalogue (live-index.ts). A
 * call made through `call_tool` is the caller's own call of the real tool: permissions, rate
 * limits, the cache, audit and metrics see that tool.
 */
import { definePlugin, type ToolItem } from 'mcp-gateway';
import { LiveIndex } from './live-index.ts';
import { optionsSchema } from './options.ts';
import { definitions, toolHandlers } from './tools.ts';

export default definePlugin({
  name: 'tool-search',
  version: '1.0.0',
  kernel: '^1.5.0',
  section: 'tool_search',
  configSchema: optionsSchema,
  setup(ctx) {
    let options = ctx.options;
    const own = ctx.name;
    const isOwn = (item: ToolItem) => item.server === own;
    const index = new LiveIndex(
      () => ctx.gateway.catalogue().tools,
      (item) => !isOwn(item),
    );
    const handlers = toolHandlers({ index, own, results: () => options });
    for (const definition of definitions) {
      ctx.serveTool(definition, handlers[definition.name as keyof typeof handlers]);
    }

    /** The list a client sees: this plugin's tools that its other list hooks left (permissions may hide them). */
    const shownLists = new WeakMap<readonly ToolItem[], readonly ToolItem[]>();
    let indexing = false;

    return {
      onListTools: {
        // After every other list hook: what they leave of this plugin's tools is what the caller may use.
        order: 'post',
        handler(items) {
          let shown = shownLists.get(items);
          if (!shown) shownLists.set(items, (shown = items.filter(isOwn)));
          return shown;
        },
      },
      // Shapes nothing: it is told that the catalogue is being rebuilt, and brings the index up to
      // date once the new catalogue is in place (the next turn), so that searches need not wait.
      onCatalogue() {
        if (indexing) return;
        indexing = true;
        setImmediate(() => {
          indexing = false;
          if (ctx.gateway.status().phase === 'ready') void index.current();
        });
      },
      onReload({ options: next }) {
        options = next;
      },
    };
  },
});
