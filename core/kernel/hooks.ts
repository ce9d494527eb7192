/**
 * The lifecycle hooks a plugin may return from `setup`, each of a named kind:
 *
 * - **onion**: hooks wrap each other in load order; each calls `next()` at most once to go on,
 *   or answers itself (short-circuit). After `next()` returns, hooks see the result in reverse
 *   order, like Koa or Hono middleware. The innermost step is the kernel's (the HTTP route, or the
 *   dispatch to the upstream).
 * - **reduce**: each hook receives the list produced by the previous one and returns a new list,
 *   or nothing to keep it. A throwing hook fails the request (fail closed: a broken filter must
 *   not reveal what it was meant to hide).
 * - **reverse-sequential**: run one after another in reverse load order, each with its own
 *   timeout; errors are collected and reported, never stop the others.
 * - **observe**: told after the fact, in load order, without being waited for; an error is logged
 *   and goes no further (fail open where it observes).
 * - **own**: called for its plugin alone: `onReload` gets the plugin's new options when a
 *   configuration reload (SIGHUP) changed them. A plugin without it is reconfigured at the next
 *   start instead; one that throws keeps what it had.
 *
 * Order is the plugin list's order. A hook may ask to run before (`pre`) or after (`post`) the
 * plugins without a preference, e.g. CORS answering a preflight before authentication:
 * `onRequest: { order: 'pre', handler }`. There are no numeric priorities.
 */
import type {
  CallToolResult,
  McpMessageContext,
  GetPromptResult,
  OperationContext,
  PromptGetContext,
  PromptItem,
  ReadResourceResult,
  RequestHook,
  ResourceItem,
  ResourceReadContext,
  ResourceTemplateItem,
  ToolCallContext,
  ToolItem,
  UpstreamLists,
} from './context.ts';
import type { EventHook } from './events.ts';

export type HookOrder = 'pre' | 'post';

export type HookKind = 'onion' | 'reduce' | 'reverse-sequential' | 'observe' | 'own';

/** A reduce-kind hook over a catalogue list. */
export type ListHook<Item> = (
  items: readonly Item[],
  ctx: OperationContext,
) => readonly Item[] | void | Promise<readonly Item[] | void>;

/**
 * A reduce-kind hook over one upstream's lists, run when the catalogue is built (at boot, when an
 * upstream's lists or state change, after a reload), never per request: synchronous, and free to
 * filter items and rename them (routing follows the names it returns).
 */
export type CatalogueHook = (lists: UpstreamLists) => UpstreamLists | void;

/** An onion-kind hook around one upstream operation. */
export type OperationHook<Ctx, Result> = (ctx: Ctx, next: () => Promise<Result>) => Promise<Result>;

export interface ShutdownContext {
  /** Aborted when this hook's share of the shutdown timeout is spent. */
  readonly signal: AbortSignal;
}

export type ShutdownHook = (ctx: ShutdownContext) => void | Promise<void>;

/** The plugin's options from the reloaded configuration, validated by its `configSchema`. */
export interface ReloadContext<Options = unknown> {
  readonly options: Options;
}

export type ReloadHook<Options = unknown> = (ctx: ReloadContext<Options>) => void | Promise<void>;

/** Every hook's signature, by name. */
export interface HookSignatures {
  /** onion over HTTP: every request, before routing (CORS, auth, request limits). */
  onRequest: RequestHook;
  /**
   * reduce: what each upstream exposes, for every client, before any prefix or list hook (kernel
   * API 1.4): the one place where items may be renamed. Names clashing after it are refused at boot
   * like any clash. A throwing hook withholds that server's lists (fail closed) and is logged.
   */
  onCatalogue: CatalogueHook;
  /** reduce: the tools a client sees in `tools/list` (return new items for what changes; never mutate them). */
  onListTools: ListHook<ToolItem>;
  /** reduce: the prompts a client sees in `prompts/list`. */
  onListPrompts: ListHook<PromptItem>;
  /** reduce: the resources a client sees in `resources/list`. */
  onListResources: ListHook<ResourceItem>;
  /** reduce: the resource templates a client sees in `resources/templates/list`. */
  onListResourceTemplates: ListHook<ResourceTemplateItem>;
  /** onion: around every `tools/call`; the innermost step calls the upstream. */
  onCallTool: OperationHook<ToolCallContext, CallToolResult>;
  /** onion: around every `prompts/get`. */
  onGetPrompt: OperationHook<PromptGetContext, GetPromptResult>;
  /** onion: around every `resources/read`. */
  onReadResource: OperationHook<ResourceReadContext, ReadResourceResult>;
  /**
   * onion: around every JSON-RPC message POSTed to `/mcp`, parsed, before it reaches its session;
   * may answer with its own HTTP response (a 403 for a denied tool). The innermost step hands the
   * message to the session and returns its response.
   */
  onMcpMessage: OperationHook<McpMessageContext, Response>;
  /**
   * observe: something happened (an HTTP request, an MCP operation, a refused authentication, an
   * upstream's state, a session, a rebuilt catalogue): for metrics, audit, tracing. Not awaited; errors are logged.
   */
  onEvent: EventHook;
  /** reverse-sequential: the gateway is stopping; release what setup acquired. */
  onShutdown: ShutdownHook;
  /** own: the configuration was reloaded with other options for this plugin; apply them live. */
  onReload: ReloadHook;
}

export type HookName = keyof HookSignatures;

/** The kind of each hook: data, so that the kernel validates names and picks the runner. */
export const hookKinds = {
  onRequest: 'onion',
  onCatalogue: 'reduce',
  onListTools: 'reduce',
  onListPrompts: 'reduce',
  onListResources: 'reduce',
  onListResourceTemplates: 'reduce',
  onCallTool: 'onion',
  onGetPrompt: 'onion',
  onReadResource: 'onion',
  onMcpMessage: 'onion',
  onEvent: 'observe',
  onShutdown: 'reverse-sequential',
  onReload: 'own',
} as const satisfies Record<HookName, HookKind>;

export const hookNames = Object.keys(hookKinds) as HookName[];

/** A hook given either as a function or with an ordering preference. */
export type HookEntry<F> = F | { order?: HookOrder; handler: F };

/** What `setup` returns: any subset of the hooks (`onReload` typed with the plugin's own options). */
export type PluginHooks<Options = unknown> = { [K in Exclude<HookName, 'onReload'>]?: HookEntry<HookSignatures[K]> } & {
  onReload?: HookEntry<ReloadHook<Options>>;
};

/** A hook after resolution: its function and the plugin it belongs to. */
export interface RegisteredHook<K extends HookName> {
  readonly plugin: string;
  readonly hook: K;
  readonly order: HookOrder | undefined;
  readonly handler: HookSignatures[K];
}
