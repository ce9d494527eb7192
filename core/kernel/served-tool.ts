/**
 * Tools a plugin serves itself (kernel API 1.5), for plugins that give clients another way to
 * reach the upstreams' tools: a search tool, a call tool. A served tool is listed and called like
 * an upstream's, as a tool of the server named after its plugin (`tool-search:call_tool` for the
 * permissions plugin, audit and metrics): every list hook and every `onCallTool` hook see it.
 */
import type { CallToolResult, RetryParams, ToolCallContext, ToolItem } from './context.ts';
import type { Tool } from './protocol.ts';

/** What a served tool may do as the client that called it. */
export interface CallerTools {
  /**
   * The tools the caller sees in `tools/list` (the catalogue of its endpoint, through every
   * plugin's `onListTools` hook but the serving plugin's own), unpaginated. The same array until
   * the catalogue or the caller's view of it changes, so that a plugin can remember what it
   * derives from it by identity.
   */
  list(): Promise<readonly ToolItem[]>;
  /**
   * Calls a tool by the name the caller sees, as a `tools/call` of the caller's would: through
   * every `onCallTool` hook (permissions, rate limits, cache), on the caller's upstream session,
   * told as an operation event of its own whose `via` names the served tool. Rejects with the
   * error a direct call would have got (`RpcError`).
   */
  call(params: ToolCallParams): Promise<CallToolResult>;
}

/** The params of a call made through a served tool: a `tools/call`'s own. */
export type ToolCallParams = RetryParams & {
  readonly name: string;
  readonly arguments?: Record<string, unknown>;
  /** The caller's `_meta` (its `progressToken`): progress of the call reaches the caller. */
  readonly _meta?: Record<string, unknown>;
};

/** Answers a call of a served tool; `ctx.params` are the call's own. */
export type ServedToolHandler = (ctx: ToolCallContext, caller: CallerTools) => Promise<CallToolResult>;

/** A served tool as the kernel keeps it. */
export interface ServedTool {
  /** The plugin that serves it: the server name it is listed under. */
  readonly plugin: string;
  readonly definition: Tool;
  readonly handler: ServedToolHandler;
}
