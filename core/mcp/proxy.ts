/**
 * The MCP operations of the gateway: lists come from the catalogue through the plugins' reduce
 * chains; calls go through the plugins' onion chains to the upstream that owns the name. Results
 * are passed on as the upstream sent them (`structuredContent`, `_meta`, annotations, `isError`
 * and unknown fields included); only the namespaced name is mapped back.
 */
import type { Catalogue } from '../catalogue.ts';
import type {
  CallToolResult,
  GetPromptResult,
  OperationContext,
  PromptGetContext,
  ReadResourceResult,
  ResourceReadContext,
  ToolCallContext,
} from '../context.ts';
import { ErrorCodes, GatewayError, RpcCodes, RpcError } from '../errors.ts';
import type { Kernel } from '../kernel.ts';
import type { CallToolRequest, GetPromptRequest, JSONRPCNotification, JSONRPCRequest, ReadResourceRequest } from '../protocol.ts';
import type { Upstream } from '../upstream/upstream.ts';

export interface ProxyDeps {
  readonly kernel: Kernel;
  readonly catalogue: () => Catalogue;
  readonly upstream: (name: string) => Upstream | undefined;
  /** Names of configured servers and their prefixes, to explain why a name is unknown. */
  readonly prefixes: ReadonlyMap<string, string>;
  readonly separator: string;
}

/** Sends a notification to the client on the stream of the request being served. */
export type Notify = (notification: JSONRPCNotification) => Promise<void>;

const notifiers = new WeakMap<OperationContext, Notify>();
let progressTokens = 0;

type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

export class McpProxy {
  readonly #deps: ProxyDeps;
  readonly #callTool: (ctx: ToolCallContext) => Promise<CallToolResult>;
  readonly #getPrompt: (ctx: PromptGetContext) => Promise<GetPromptResult>;
  readonly #readResource: (ctx: ResourceReadContext) => Promise<ReadResourceResult>;

  constructor(deps: ProxyDeps) {
    this.#deps = deps;
    const { kernel } = deps;
    this.#callTool = kernel.operation('onCallTool', (ctx) =>
      this.#forward(ctx, 'tools/call', { ...ctx.params, name: ctx.tool, arguments: ctx.arguments }),
    ) as (ctx: ToolCallContext) => Promise<CallToolResult>;
    this.#getPrompt = kernel.operation('onGetPrompt', (ctx) =>
      this.#forward(ctx, 'prompts/get', { ...ctx.params, name: ctx.prompt, arguments: ctx.arguments }),
    ) as (ctx: PromptGetContext) => Promise<GetPromptResult>;
    this.#readResource = kernel.operation('onReadResource', (ctx) =>
      this.#forward(ctx, 'resources/read', { ...ctx.params, uri: ctx.uri }),
    ) as (ctx: ResourceReadContext) => Promise<ReadResourceResult>;
  }

  async listTools(ctx: OperationContext) {
    const items = await this.#deps.kernel.runList('onListTools', this.#deps.catalogue().tools, ctx);
    return { tools: items.map((item) => item.value) };
  }

  async listPrompts(ctx: OperationContext) {
    const items = await this.#deps.kernel.runList('onListPrompts', this.#deps.catalogue().prompts, ctx);
    return { prompts: items.map((item) => item.value) };
  }

  async listResources(ctx: OperationContext) {
    const items = await this.#deps.kernel.runList('onListResources', this.#deps.catalogue().resources, ctx);
    return { resources: items.map((item) => item.value) };
  }

  async listResourceTemplates(ctx: OperationContext) {
    const items = await this.#deps.kernel.runList('onListResourceTemplates', this.#deps.catalogue().resourceTemplates, ctx);
    return { resourceTemplates: items.map((item) => item.value) };
  }

  callTool(base: OperationContext, params: CallToolRequest['params'], notify: Notify): Promise<CallToolResult> {
    const name = requireString(params, 'name');
    const item = this.#deps.catalogue().tool(name);
    if (!item) throw this.#unknown('tool', name);
    const ctx: ToolCallContext = {
      ...base,
      server: item.server,
      tool: item.name,
      name,
      definition: item.value,
      params,
      arguments: params.arguments as Record<string, unknown> | undefined,
    };
    notifiers.set(ctx, notify);
    return this.#callTool(ctx);
  }

  getPrompt(base: OperationContext, params: GetPromptRequest['params'], notify: Notify): Promise<GetPromptResult> {
    const name = requireString(params, 'name');
    const item = this.#deps.catalogue().prompt(name);
    if (!item) throw this.#unknown('prompt', name);
    const ctx: PromptGetContext = {
      ...base,
      server: item.server,
      prompt: item.name,
      name,
      definition: item.value,
      params,
      arguments: params.arguments as Record<string, string> | undefined,
    };
    notifiers.set(ctx, notify);
    return this.#getPrompt(ctx);
  }

  readResource(base: OperationContext, params: ReadResourceRequest['params'], notify: Notify): Promise<ReadResourceResult> {
    const uri = requireString(params, 'uri');
    const server = this.#deps.catalogue().resourceOwner(uri);
    if (!server) throw new RpcError(RpcCodes.INVALID_PARAMS, `Unknown resource: ${uri}`, { uri });
    const ctx: ResourceReadContext = { ...base, server, uri, params };
    notifiers.set(ctx, notify);
    return this.#readResource(ctx);
  }

  /** The terminal step of every operation chain: send it to the owning upstream. */
  async #forward<R>(ctx: OperationContext & { server: string }, method: string, params: Params): Promise<R> {
    const upstream = this.#deps.upstream(ctx.server);
    if (!upstream) throw new GatewayError(ErrorCodes.UNKNOWN_NAME, `no upstream server is named "${ctx.server}"`, { rpcCode: RpcCodes.INVALID_PARAMS });
    const notify = notifiers.get(ctx);
    const callerToken = params._meta?.progressToken;
    // Upstream connections are shared between clients, whose progress tokens may collide: send a
    // token of our own and give the caller's back on the way out.
    const upstreamToken = callerToken === undefined ? undefined : `mcp-gateway-${++progressTokens}`;
    const sent = upstreamToken === undefined ? params : { ...params, _meta: { ...params._meta, progressToken: upstreamToken } };
    const onMessage = notify && ((message: JSONRPCNotification | JSONRPCRequest) => relay(message, notify, upstreamToken, callerToken));
    return (await upstream.request(method, sent, {
      signal: ctx.signal,
      headers: { 'x-request-id': ctx.requestId },
      onMessage,
    })) as R;
  }

  #unknown(kind: 'tool' | 'prompt', name: string): Error {
    const { prefixes, separator } = this.#deps;
    for (const [server, prefix] of prefixes) {
      if (prefix === '' || !name.startsWith(`${prefix}${separator}`)) continue;
      const state = this.#deps.upstream(server)?.state;
      if (state !== 'ready') {
        return new RpcError(RpcCodes.INTERNAL_ERROR, `Unavailable ${kind}: ${name} (upstream server "${server}" is ${state})`, { server, state });
      }
      return new RpcError(RpcCodes.INVALID_PARAMS, `Unknown ${kind}: ${name} (server "${server}" has no ${kind} "${name.slice(prefix.length + separator.length)}")`, {
        server,
      });
    }
    return new RpcError(RpcCodes.INVALID_PARAMS, `Unknown ${kind}: ${name}`);
  }
}

function relay(message: JSONRPCNotification | JSONRPCRequest, notify: Notify, upstreamToken: string | undefined, callerToken: unknown): void {
  if ('id' in message) return; // server-to-client requests are answered by the upstream connection
  const params = message.params as Params | undefined;
  if (message.method === 'notifications/progress') {
    if (upstreamToken === undefined || params?.progressToken !== upstreamToken) return;
    void notify({ ...message, params: { ...params, progressToken: callerToken } }).catch(() => {});
    return;
  }
  void notify(message).catch(() => {});
}

function requireString(params: Record<string, unknown> | undefined, key: string): string {
  const value = params?.[key];
  if (typeof value !== 'string') throw new RpcError(RpcCodes.INVALID_PARAMS, `params.${key} must be a string`);
  return value;
}
