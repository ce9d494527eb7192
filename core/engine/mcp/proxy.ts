/**
 * The MCP operations of the gateway: lists come from the catalogue through the plugins' reduce
 * chains and are paginated; targeted operations go through the plugins' onion chains to the
 * upstream that owns the name, on the client's own upstream session (`per-client`) or the shared
 * one. Results are passed on as the upstream sent them (`structuredContent`, `_meta`,
 * annotations, `isError` and unknown fields included); only names and qualified URIs are mapped.
 */
import type { Catalogue, ListKind } from '../catalogue.ts';
import type { CatalogueLookup } from '../endpoints.ts';
import type { StopSignal } from '../../lib/cancellation.ts';
import type {
  CallToolResult,
  CatalogueItem,
  GetPromptResult,
  Logger,
  McpTarget,
  OperationContext,
  PromptGetContext,
  ReadResourceResult,
  ResourceReadContext,
  ToolCallContext,
  ToolItem,
} from '../../kernel/context.ts';
import { ErrorCodes, GatewayError, RpcCodes } from '../../kernel/errors.ts';
import type { Kernel } from '../../runner/kernel.ts';
import type { JSONRPCMessage, JSONRPCNotification } from '../../kernel/protocol.ts';
import type { CallerTools, ServedTool } from '../../kernel/served-tool.ts';
import type { DownstreamPeer } from '../upstream/peer.ts';
import type { Upstream } from '../upstream/upstream.ts';
import { paginate } from './pagination.ts';
import { OperationCall, operation, RUNTIME, type OperationRuntime } from './operation-context.ts';
import type { OperationScope } from './operations.ts';
import { paramHeaders } from '../../lib/http/modern-headers.ts';
import { answerRounds } from './input-rounds.ts';
import { listPage } from './serialized.ts';
import { shown } from './shown.ts';
import type { TaskIds } from './task-ids.ts';
import type { SharedSubscriptions } from './subscriptions.ts';

export interface ProxyDeps {
  readonly kernel: Kernel;
  /** The tool a plugin serves under this server and tool name, if it is one. */
  readonly served: (server: string, tool: string) => ServedTool | undefined;
  /** Runs an operation a served tool makes for its caller, as the caller's own are run (operations.ts). */
  readonly nested: NestedRun;
  readonly catalogue: () => Catalogue;
  /** The part of the catalogue an endpoint serves (endpoints.ts): what its operations may name. */
  readonly view: (endpoint: string) => CatalogueLookup;
  /** Whether an endpoint serves a server's items: an unknown name explains itself only by those. */
  readonly serves: (endpoint: string, server: string) => boolean;
  readonly upstream: (name: string) => Upstream | undefined;
  readonly upstreams: () => readonly Upstream[];
  /** Names of configured servers and their prefixes, to explain why a name is unknown. */
  readonly prefixes: ReadonlyMap<string, string>;
  readonly separator: string;
  readonly pageSize: number;
  readonly subscriptions: SharedSubscriptions;
  /** The ids given to clients for upstreams' tasks. */
  readonly tasks: TaskIds;
}

type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

export type NestedRun = (
  method: string,
  params: Params,
  scope: OperationScope,
  runtime: OperationRuntime,
  sessionId: string | undefined,
) => Promise<Record<string, unknown>>;
type Result = Record<string, unknown>;

/** An operation's context, as the terminal steps get it back from the hooks. */
type WithRuntime = { readonly [RUNTIME]?: OperationRuntime };
type Forwarded = OperationContext & WithRuntime & { server: string; upstreamHeaders?: Record<string, string> };

/** The methods whose results may ask the client for input (2026-07-28). */
const multiRound = new Set(['tools/call', 'prompts/get', 'resources/read']);

let progressTokens = 0;

export class McpProxy {
  readonly #deps: ProxyDeps;
  readonly #callTool: (ctx: ToolCallContext) => Promise<CallToolResult>;
  readonly #getPrompt: (ctx: PromptGetContext) => Promise<GetPromptResult>;
  readonly #readResource: (ctx: ResourceReadContext) => Promise<ReadResourceResult>;

  constructor(deps: ProxyDeps) {
    this.#deps = deps;
    const { kernel } = deps;
    this.#callTool = kernel.operation('onCallTool', (ctx) => {
      const served = deps.served(ctx.server, ctx.tool);
      if (served) return served.handler(ctx, this.#callerTools(ctx, served.plugin));
      const retry = this.#upstream(ctx.server).policy.retry;
      const idempotent = retry.toolCalls || ctx.definition.annotations?.idempotentHint === true;
      return this.#forward(
        ctx,
        'tools/call',
        { ...ctx.params, name: ctx.tool, arguments: ctx.arguments },
        idempotent,
      ) as Promise<CallToolResult>;
    }) as (ctx: ToolCallContext) => Promise<CallToolResult>;
    this.#getPrompt = kernel.operation(
      'onGetPrompt',
      (ctx) =>
        this.#forward(
          ctx,
          'prompts/get',
          { ...ctx.params, name: ctx.prompt, arguments: ctx.arguments },
          true,
        ) as Promise<GetPromptResult>,
    ) as (ctx: PromptGetContext) => Promise<GetPromptResult>;
    this.#readResource = kernel.operation('onReadResource', async (ctx) => {
      const result = (await this.#forward(
        ctx,
        'resources/read',
        { ...ctx.params, uri: ctx.uri },
        true,
      )) as ReadResourceResult;
      return this.#exposeContents(ctx.server, result);
    }) as (ctx: ResourceReadContext) => Promise<ReadResourceResult>;
  }

  async listTools(ctx: OperationContext, params: Params) {
    const items = await this.#deps.kernel.runList('onListTools', this.#deps.view(ctx.endpoint).tools, ctx);
    return this.#page('tools', items, params);
  }

  async listPrompts(ctx: OperationContext, params: Params) {
    const items = await this.#deps.kernel.runList('onListPrompts', this.#deps.view(ctx.endpoint).prompts, ctx);
    return this.#page('prompts', items, params);
  }

  async listResources(ctx: OperationContext, params: Params) {
    const items = await this.#deps.kernel.runList('onListResources', this.#deps.view(ctx.endpoint).resources, ctx);
    return this.#page('resources', items, params);
  }

  async listResourceTemplates(ctx: OperationContext, params: Params) {
    const items = await this.#deps.kernel.runList(
      'onListResourceTemplates',
      this.#deps.view(ctx.endpoint).resourceTemplates,
      ctx,
    );
    return this.#page('resourceTemplates', items, params);
  }

  /** The tool a client calls by `name` on `endpoint`, as listed. */
  tool(name: string, endpoint: string): ToolItem | undefined {
    return this.#deps.view(endpoint).tool(name);
  }

  /** All of a kind of list that `ctx`'s caller sees (the catalogue through the list hooks), unpaginated. */
  async seen(kind: ListKind, ctx: OperationContext): Promise<readonly CatalogueItem<unknown>[]> {
    const { kernel } = this.#deps;
    const catalogue = this.#deps.view(ctx.endpoint);
    if (kind === 'tools') return kernel.runList('onListTools', catalogue.tools, ctx);
    if (kind === 'prompts') return kernel.runList('onListPrompts', catalogue.prompts, ctx);
    const [resources, templates] = await Promise.all([
      kernel.runList('onListResources', catalogue.resources, ctx),
      kernel.runList('onListResourceTemplates', catalogue.resourceTemplates, ctx),
    ]);
    return [...resources, ...templates];
  }

  callTool(base: OperationContext, params: Params, runtime: OperationRuntime): Promise<CallToolResult> {
    const name = requireString(params, 'name');
    const item = this.#deps.view(base.endpoint).tool(name);
    if (!item) throw this.#unknown('tool', name, base.endpoint);
    const ctx: ToolCallContext = operation(base, runtime, {
      server: item.server,
      tool: item.name,
      name,
      definition: item.value,
      upstreamHeaders: {},
      params: params as ToolCallContext['params'],
      arguments: params.arguments as Record<string, unknown> | undefined,
    });
    return this.#callTool(ctx);
  }

  getPrompt(base: OperationContext, params: Params, runtime: OperationRuntime): Promise<GetPromptResult> {
    const name = requireString(params, 'name');
    const item = this.#deps.view(base.endpoint).prompt(name);
    if (!item) throw this.#unknown('prompt', name, base.endpoint);
    const ctx: PromptGetContext = operation(base, runtime, {
      server: item.server,
      prompt: item.name,
      name,
      definition: item.value,
      upstreamHeaders: {},
      params: params as PromptGetContext['params'],
      arguments: params.arguments as Record<string, string> | undefined,
    });
    return this.#getPrompt(ctx);
  }

  readResource(base: OperationContext, params: Params, runtime: OperationRuntime): Promise<ReadResourceResult> {
    const target = this.#resource(requireString(params, 'uri'), base.endpoint);
    const ctx: ResourceReadContext = operation(base, runtime, {
      server: target.server,
      uri: target.uri,
      params: params as ResourceReadContext['params'],
      upstreamHeaders: {},
    });
    return this.#readResource(ctx);
  }

  async subscribe(
    base: OperationContext,
    params: Params,
    runtime: OperationRuntime,
    subscribe: boolean,
  ): Promise<Result> {
    const target = this.#resource(requireString(params, 'uri'), base.endpoint);
    const upstream = this.#upstream(target.server);
    if (upstream.state !== 'ready') throw upstream.unavailable();
    if (upstream.policy.sessions === 'per-client' && runtime.session && !upstream.modern) {
      const method = subscribe ? 'resources/subscribe' : 'resources/unsubscribe';
      return runtime.session
        .link(upstream)
        .request(method, { ...params, uri: target.uri }, { signal: runtime.cancellation });
    }
    const who = runtime.session?.peer ?? runtime.peer;
    if (subscribe) await this.#deps.subscriptions.subscribe(upstream, target.uri, who);
    else await this.#deps.subscriptions.unsubscribe(upstream, target.uri, who);
    return {};
  }

  /**
   * `tasks/get|update|cancel` (the tasks extension): at the upstream whose task the gateway's id
   * names, with that upstream's id, and only while the caller may still see the tool that made it.
   */
  async task(base: OperationContext, method: string, params: Params, runtime: OperationRuntime): Promise<Result> {
    const task = this.#deps.tasks.open(params.taskId, base.principal);
    const tool = this.#deps.view(base.endpoint).tool(task.tool);
    const visible = tool && (await this.#deps.kernel.runList('onListTools', [tool], base)).length > 0;
    if (task.tool !== '' && !visible)
      throw new GatewayError(
        ErrorCodes.FORBIDDEN,
        `Forbidden: the task's tool ${shown(task.tool)} is not yours to use`,
        {
          rpcCode: RpcCodes.FORBIDDEN,
        },
      );
    const ctx = operation(base, runtime, { server: task.server });
    const result = await this.#forward(ctx, method, { ...params, taskId: task.taskId }, method === 'tasks/get');
    return result.taskId === task.taskId ? { ...result, taskId: params.taskId } : result;
  }

  /** `completion/complete` for a prompt's or a resource template's argument, at its owner. */
  complete(base: OperationContext, params: Params, runtime: OperationRuntime): Promise<Result> {
    const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
    let server: string;
    let upstreamRef: Record<string, unknown>;
    const catalogue = this.#deps.view(base.endpoint);
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const item = catalogue.prompt(ref.name);
      if (!item) throw this.#unknown('prompt', ref.name, base.endpoint);
      (server = item.server), (upstreamRef = { ...ref, name: item.name });
    } else if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
      const target = catalogue.template(ref.uri) ?? catalogue.resource(ref.uri);
      if (!target) throw unknownName(`Unknown resource template: ${shown(ref.uri)}`, echoed(ref.uri));
      (server = target.server), (upstreamRef = { ...ref, uri: target.uri });
    } else {
      throw invalidParams('params.ref must be a ref/prompt with a name or a ref/resource with a uri');
    }
    const ctx = operation(base, runtime, { server });
    return this.#forward(ctx, 'completion/complete', { ...params, ref: upstreamRef }, true);
  }

  /** `logging/setLevel`: the client's level, for each of its own upstream sessions, open and to come. */
  async setLogLevel(_base: OperationContext, params: Params, runtime: OperationRuntime): Promise<Result> {
    const level = requireString(params, 'level');
    if (!runtime.session) return {};
    runtime.session.logLevel = level;
    await Promise.all(
      runtime.session
        .openLinks()
        .filter((link) => link.upstream.capabilities?.logging)
        .map((link) => link.request('logging/setLevel', { level }, { signal: runtime.cancellation }).catch(() => {})),
    );
    return {};
  }

  /**
   * The upstream item a request names, if it exists: the tool of `tools/call`, the prompt of
   * `prompts/get`, the resource of `resources/read|subscribe|unsubscribe`, and the prompt or
   * resource template a `completion/complete` completes an argument of, on `endpoint`.
   */
  target(message: JSONRPCMessage, endpoint: string): McpTarget | undefined {
    const { method, params } = message as { method?: unknown; params?: Record<string, unknown> };
    const catalogue = this.#deps.view(endpoint);
    if (method === 'completion/complete') {
      const ref = params?.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
      if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
        const item = catalogue.prompt(ref.name);
        return item && { kind: 'prompt', server: item.server, name: item.name, exposed: ref.name };
      }
      if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
        const template = catalogue.template(ref.uri);
        return template && { kind: 'resource', server: template.server, name: template.uri, exposed: ref.uri };
      }
      return undefined;
    }
    if (method === 'tools/call' || method === 'prompts/get') {
      const exposed = params?.name;
      if (typeof exposed !== 'string') return undefined;
      const item = method === 'tools/call' ? catalogue.tool(exposed) : catalogue.prompt(exposed);
      return (
        item && { kind: method === 'tools/call' ? 'tool' : 'prompt', server: item.server, name: item.name, exposed }
      );
    }
    if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
      const exposed = params?.uri;
      const resource = typeof exposed === 'string' ? catalogue.resource(exposed) : undefined;
      return resource && { kind: 'resource', server: resource.server, name: resource.uri, exposed: exposed as string };
    }
    return undefined;
  }

  /** Map a notification a server sent outside any request (per-client session) for its client. */
  forClient(server: string, notification: JSONRPCNotification): JSONRPCNotification {
    if (notification.method !== 'notifications/resources/updated') return notification;
    const uri = notification.params?.uri;
    if (typeof uri !== 'string') return notification;
    return { ...notification, params: { ...notification.params, uri: this.#deps.catalogue().exposeUri(server, uri) } };
  }

  /**
   * The terminal step of every operation chain: send it to the owning upstream, retrying when safe.
   * Not an async function: a request that is not retried is the upstream's promise itself, with no
   * step of this function's own on the way back (on a path every tool call takes).
   */
  #forward(ctx: Forwarded, method: string, params: Params, idempotent: boolean): Promise<Result> {
    const upstream = this.#deps.upstream(ctx.server);
    if (!upstream) return Promise.reject(unknownServer(ctx.server));
    const runtime = ctx[RUNTIME];
    if (runtime?.router) {
      const send = (given: Params) => this.#send(upstream, ctx, runtime, method, given, idempotent);
      const routed = runtime.router.route(upstream, ctx, runtime, method, params, send);
      if (routed) return routed;
    } else if (runtime && upstream.modern && multiRound.has(method)) {
      // A client with a stream to be asked on: the gateway answers a 2026-07-28 upstream's
      // input_required rounds by asking it, and sends the answers back.
      const retry = (inputResponses: Params, requestState: unknown) =>
        this.#send(upstream, ctx, runtime, method, { ...params, inputResponses, requestState }, false);
      return this.#send(upstream, ctx, runtime, method, params, idempotent).then((result) =>
        answerRounds(result, runtime, retry),
      );
    }
    return this.#send(upstream, ctx, runtime, method, params, idempotent);
  }

  /** Send a request upstream the usual way: on the client's own upstream session or the shared one, retried when safe. */
  #send(
    upstream: Upstream,
    ctx: Forwarded,
    runtime: OperationRuntime | undefined,
    method: string,
    params: Params,
    idempotent: boolean,
  ): Promise<Result> {
    const callerToken = params._meta?.progressToken;
    // A shared upstream session serves many clients, whose progress tokens may collide: send a
    // token of our own and give the caller's back on the way out.
    const upstreamToken = callerToken === undefined ? undefined : `mcp-gateway-${++progressTokens}`;
    const sent =
      upstreamToken === undefined ? params : { ...params, _meta: { ...params._meta, progressToken: upstreamToken } };
    const peer = runtime && relayingPeer(runtime.peer, upstreamToken, callerToken);
    // The call's cancellation rather than `ctx.signal`, which would make an AbortSignal per call.
    const signal = runtime?.cancellation ?? ctx.signal;
    // A 2026-07-28 upstream checks the arguments its tool mirrors in headers (SEP-2243): derived
    // from the arguments sent, which a hook may have changed.
    const mirrored =
      upstream.modern && method === 'tools/call'
        ? paramHeaders((ctx as Partial<ToolCallContext>).definition?.inputSchema, params.arguments as Params)
        : undefined;
    const options = {
      signal,
      headers: { ...ctx.upstreamHeaders, ...mirrored, 'x-request-id': ctx.requestId },
      peer,
      logLevel: runtime?.session?.logLevel ?? runtime?.logLevel,
    };
    const { retry, sessions } = upstream.policy;
    const session = sessions === 'per-client' ? runtime?.session : undefined;
    const send = () =>
      session ? session.link(upstream).request(method, sent, options) : upstream.request(method, sent, options);
    // A server known to be down fails at once (calls never hang), and is not retried.
    if (upstream.state !== 'ready') return Promise.reject(upstream.unavailable());
    if (!idempotent || retry.attempts === 0) return send();
    return this.#retrying(upstream, send, ctx.logger, signal, method);
  }

  /** `send` once more after a lost connection, while the server's retry policy allows. */
  async #retrying(
    upstream: Upstream,
    send: () => Promise<Result>,
    logger: Logger,
    signal: StopSignal,
    method: string,
  ): Promise<Result> {
    const { retry } = upstream.policy;
    for (let attempt = 0; ; attempt++) {
      if (upstream.state !== 'ready') throw upstream.unavailable();
      try {
        return await send();
      } catch (error) {
        const lostConnection = error instanceof GatewayError && error.code === ErrorCodes.UPSTREAM_UNAVAILABLE;
        if (!lostConnection || attempt >= retry.attempts || signal.aborted) throw error;
        logger.debug({ server: upstream.name, method, attempt: attempt + 1 }, 'retrying after a lost connection');
        await upstream.whenReady(retry.delayMs * 2 ** attempt);
      }
    }
  }

  #upstream(name: string): Upstream {
    const upstream = this.#deps.upstream(name);
    if (!upstream) throw unknownServer(name);
    return upstream;
  }

  #resource(uri: string, endpoint: string) {
    const target = this.#deps.view(endpoint).resource(uri);
    if (!target) throw unknownName(`Unknown resource: ${shown(uri)}`, echoed(uri));
    return target;
  }

  #exposeContents(server: string, result: ReadResourceResult): ReadResourceResult {
    if (!Array.isArray(result.contents)) return result;
    const catalogue = this.#deps.catalogue();
    return {
      ...result,
      contents: result.contents.map((c) =>
        typeof c.uri === 'string' ? { ...c, uri: catalogue.exposeUri(server, c.uri) } : c,
      ),
    };
  }

  #page(key: string, items: readonly { value: unknown }[], params: Params) {
    const page = paginate(items, params.cursor, this.#deps.pageSize);
    return listPage(
      key,
      page.items.map((item) => item.value as object),
      page.nextCursor,
      { list: items, cursor: String(params.cursor ?? '') },
    );
  }

  /** What a served tool may do as its caller: see what the caller sees, call what the caller may. */
  #callerTools(ctx: ToolCallContext, plugin: string): CallerTools {
    const runtime = (ctx as WithRuntime)[RUNTIME]!;
    const via: McpTarget = { kind: 'tool', server: ctx.server, name: ctx.tool, exposed: ctx.name };
    return {
      list: () =>
        this.#deps.kernel.runList(
          'onListTools',
          this.#deps.view(ctx.endpoint).tools,
          new OperationCall('tools/list', ctx, ctx.sessionId, runtime),
          plugin,
        ),
      call: (params) => {
        const item = this.#deps.view(ctx.endpoint).tool(params.name);
        const target: McpTarget | undefined = item && {
          kind: 'tool',
          server: item.server,
          name: item.name,
          exposed: params.name,
        };
        const { requestId, endpoint, logger, principal, state } = ctx;
        const scope = { requestId, endpoint, logger, principal, state };
        return this.#deps.nested(
          'tools/call',
          { ...params },
          { ...scope, target, via },
          runtime,
          ctx.sessionId,
        ) as Promise<CallToolResult>;
      },
    };
  }

  #unknown(kind: 'tool' | 'prompt', name: string, endpoint: string): Error {
    const { prefixes, separator, serves } = this.#deps;
    for (const [server, prefix] of prefixes) {
      // A server outside the endpoint is not named: there, it does not exist.
      if (prefix === '' || !name.startsWith(`${prefix}${separator}`) || !serves(endpoint, server)) continue;
      const state = this.#deps.upstream(server)?.state;
      if (state !== 'ready') {
        return new GatewayError(
          ErrorCodes.UPSTREAM_UNAVAILABLE,
          `Unavailable ${kind}: ${shown(name)} (upstream server "${server}" is ${state})`,
          {
            rpcCode: RpcCodes.INTERNAL_ERROR,
            data: { server, state },
          },
        );
      }
      return unknownName(
        `Unknown ${kind}: ${shown(name)} (server "${server}" has no ${kind} "${shown(name.slice(prefix.length + separator.length))}")`,
        { server },
      );
    }
    return unknownName(`Unknown ${kind}: ${shown(name)}`);
  }
}

/** The operation's peer, with the gateway's progress token mapped back to the caller's. */
function relayingPeer(peer: DownstreamPeer, upstreamToken: string | undefined, callerToken: unknown): DownstreamPeer {
  return {
    client: peer.client,
    request: (request, signal) => peer.request(request, signal),
    notify: (notification) => {
      if (notification.method !== 'notifications/progress') return peer.notify(notification);
      const params = notification.params as Params | undefined;
      if (upstreamToken === undefined || params?.progressToken !== upstreamToken) return Promise.resolve();
      return peer.notify({ ...notification, params: { ...params, progressToken: callerToken } });
    },
  };
}

const unknownServer = (name: string) =>
  new GatewayError(ErrorCodes.UNKNOWN_NAME, `no upstream server is named "${name}"`, {
    rpcCode: RpcCodes.INVALID_PARAMS,
  });
const unknownName = (message: string, data?: Record<string, unknown>) =>
  new GatewayError(ErrorCodes.UNKNOWN_NAME, message, { rpcCode: RpcCodes.INVALID_PARAMS, data });
/** The error data that names an unknown resource (SEP-2164), unless its URI is too long to send back. */
const echoed = (uri: string) => (uri.length <= MAX_ECHOED_URI ? { uri } : undefined);
const MAX_ECHOED_URI = 2048;
const invalidParams = (message: string) =>
  new GatewayError(ErrorCodes.INVALID_PARAMS, message, { rpcCode: RpcCodes.INVALID_PARAMS });

function requireString(params: Record<string, unknown> | undefined, key: string): string {
  const value = params?.[key];
  if (typeof value !== 'string') throw invalidParams(`params.${key} must be a string`);
  return value;
}
