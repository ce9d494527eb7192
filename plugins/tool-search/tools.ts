/**
 * The three tools a client sees instead of the catalogue: `search_tools` finds tools by what they
 * do, `describe_tool` gives one tool's whole definition, and `call_tool` calls one. They see and
 * reach only what the caller may: the tools its `tools/list` would have shown. A mistake in their
 * arguments is a tool error the model can read and correct (MCP: input errors are tool results),
 * and a tool the caller may not see is unknown, as one that does not exist.
 */
import type { CallerTools, CallToolResult, Tool, ToolCallContext, ToolItem } from 'mcp-gateway';
import type { LiveIndex } from './live-index.ts';

export const SEARCH = 'search_tools';
export const DESCRIBE = 'describe_tool';
export const CALL = 'call_tool';

const nameArgument = { type: 'string', description: 'The tool name, as search_tools gave it.' } as const;

export const definitions: readonly Tool[] = [
  {
    name: SEARCH,
    title: 'Search tools',
    description:
      'Find the tools for a task among the many this gateway offers. Say in a few words what you want to do ' +
      '(e.g. "create a GitHub issue", "read a file"); the best matches come first, each with its input ' +
      `schema. Call one with ${CALL}.`,
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What you want to do, in a few words.' },
        limit: { type: 'integer', minimum: 1, description: 'How many tools to return at most.' },
      },
      required: ['query'],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: DESCRIBE,
    title: 'Describe a tool',
    description: `The whole definition of one tool found by ${SEARCH}: its input and output schemas and annotations.`,
    inputSchema: { type: 'object', properties: { name: nameArgument }, required: ['name'] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: CALL,
    title: 'Call a tool',
    description: `Call a tool found by ${SEARCH}, with the arguments its input schema asks for. Returns that tool's result.`,
    inputSchema: {
      type: 'object',
      properties: {
        name: nameArgument,
        arguments: { type: 'object', description: "The tool's arguments.", additionalProperties: true },
      },
      required: ['name'],
    },
  },
];

/** What the caller may use, by name: its `tools/list` but for these tools. */
type Visible = ReadonlyMap<string, ToolItem>;

export interface ToolsDeps {
  readonly index: LiveIndex;
  /** The plugin's name: the server its own tools are listed under. */
  readonly own: string;
  readonly results: () => { readonly results: number; readonly max_results: number };
}

export function toolHandlers({ index, own, results }: ToolsDeps) {
  const visibleByList = new WeakMap<readonly ToolItem[], Visible>();
  const visible = async (caller: CallerTools): Promise<Visible> => {
    const list = await caller.list();
    let found = visibleByList.get(list);
    if (!found) {
      found = new Map(list.filter((item) => item.server !== own).map((item) => [item.value.name, item]));
      visibleByList.set(list, found);
    }
    return found;
  };
  /** The tool named by the `name` argument, or the tool error that says why there is none. */
  const named = async (ctx: ToolCallContext, caller: CallerTools): Promise<ToolItem | CallToolResult> => {
    const name = ctx.arguments?.name;
    if (typeof name !== 'string' || name === '') return toolError(`"name" must be a tool name from ${SEARCH}.`);
    return (await visible(caller)).get(name) ?? toolError(`Unknown tool: ${shown(name)}. ${SEARCH} finds tools.`);
  };

  return {
    async [SEARCH](ctx: ToolCallContext, caller: CallerTools): Promise<CallToolResult> {
      const { query, limit } = ctx.arguments ?? {};
      if (typeof query !== 'string' || query.trim() === '') {
        return toolError('"query" must say in a few words what you want to do, e.g. "list files in a folder".');
      }
      const { results: usual, max_results } = results();
      const wanted = typeof limit === 'number' && Number.isInteger(limit) && limit > 0 ? limit : usual;
      const tools = await visible(caller);
      const hits = await index.search(query, Math.min(wanted, max_results), tools);
      // A hit the caller does not see (the catalogue changed while it searched) is left out.
      const found = hits.flatMap((hit) => {
        const item = tools.get(hit.name);
        return item ? [brief(item.value)] : [];
      });
      return answer({ tools: found });
    },

    async [DESCRIBE](ctx: ToolCallContext, caller: CallerTools): Promise<CallToolResult> {
      const item = await named(ctx, caller);
      return 'content' in item ? item : answer({ tool: item.value });
    },

    async [CALL](ctx: ToolCallContext, caller: CallerTools): Promise<CallToolResult> {
      const item = await named(ctx, caller);
      if ('content' in item) return item;
      const args = ctx.arguments?.arguments;
      if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
        return toolError('"arguments" must be an object of the arguments the tool asks for.');
      }
      const { _meta, inputResponses, requestState } = ctx.params;
      return caller.call({
        name: item.value.name,
        ...(args !== undefined && { arguments: args as Record<string, unknown> }),
        ...(_meta !== undefined && { _meta }),
        ...(inputResponses !== undefined && { inputResponses }),
        ...(requestState !== undefined && { requestState }),
      });
    },
  };
}

/** What a search shows of a tool: enough to call it. */
const brief = (tool: Tool) => ({
  name: tool.name,
  ...(tool.title !== undefined && { title: tool.title }),
  ...(tool.description !== undefined && { description: tool.description }),
  inputSchema: tool.inputSchema,
});

const answer = (structured: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(structured) }],
  structuredContent: structured,
});

const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** A name as a message may repeat it: a model's mistake can be long. */
const shown = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
