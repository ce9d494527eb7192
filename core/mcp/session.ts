/**
 * One downstream MCP session: the SDK's web-standard Streamable HTTP transport (which owns the
 * wire rules: SSE streams, 406/415, protocol-version checks) and a low-level SDK `Server` that
 * handles `initialize`, `ping` and cancellation. Every other request goes through one
 * fallback handler to the gateway's operations, so results are not re-validated or reshaped.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { ClientIdentity, Logger, OperationContext, Principal, RequestState } from '../context.ts';
import { GatewayError, RpcCodes, RpcError } from '../errors.ts';
import type { InFlight } from '../in-flight.ts';
import type { Implementation, JSONRPCRequest } from '../protocol.ts';
import type { McpProxy, Notify } from './proxy.ts';

/** What the HTTP layer knows about the request that carries an MCP message. */
export interface HttpScope {
  readonly requestId: string;
  readonly logger: Logger;
  readonly principal: Principal | undefined;
  readonly state: RequestState;
}

export interface SessionOptions {
  /** The principal that opens the session; only it may use the session. */
  readonly subject: string | undefined;
  /** The protocol version negotiated at initialize. */
  readonly protocolVersion: string;
  readonly proxy: McpProxy;
  /** Operations in progress, which a graceful stop waits for. */
  readonly inFlight: InFlight;
  /** Aborted when the gateway gives up waiting for operations at shutdown. */
  readonly cancel: AbortSignal;
  readonly serverInfo: Implementation;
  readonly instructions: string;
  readonly logger: Logger;
  readonly onInitialized: (session: DownstreamSession) => void | Promise<void>;
  readonly onClosed: (session: DownstreamSession) => void;
}

export type ListKind = 'tools' | 'prompts' | 'resources';

type Handler = (proxy: McpProxy, ctx: OperationContext, params: Record<string, unknown>, notify: Notify) => Promise<unknown>;

const methods: Record<string, Handler> = {
  'tools/list': (proxy, ctx) => proxy.listTools(ctx),
  'tools/call': (proxy, ctx, params, notify) => proxy.callTool(ctx, params as never, notify),
  'prompts/list': (proxy, ctx) => proxy.listPrompts(ctx),
  'prompts/get': (proxy, ctx, params, notify) => proxy.getPrompt(ctx, params as never, notify),
  'resources/list': (proxy, ctx) => proxy.listResources(ctx),
  'resources/templates/list': (proxy, ctx) => proxy.listResourceTemplates(ctx),
  'resources/read': (proxy, ctx, params, notify) => proxy.readResource(ctx, params as never, notify),
};

export class DownstreamSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: Server;
  readonly subject: string | undefined;
  readonly protocolVersion: string;
  #closed = false;
  readonly #options: SessionOptions;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.subject = options.subject;
    this.protocolVersion = options.protocolVersion;
    this.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: () => options.onInitialized(this),
      onsessionclosed: () => void this.close(),
    });
    this.server = new Server(options.serverInfo, {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
      },
      instructions: options.instructions,
    });
    this.server.fallbackRequestHandler = (request, extra) => this.#dispatch(request as JSONRPCRequest, extra);
    this.server.onerror = (error) => options.logger.debug({ err: error, session: this.id }, 'session transport error');
  }

  get id(): string | undefined {
    return this.transport.sessionId;
  }

  get client(): ClientIdentity {
    return {
      info: this.server.getClientVersion(),
      capabilities: this.server.getClientCapabilities(),
      protocolVersion: this.protocolVersion,
    };
  }

  async connect(): Promise<void> {
    await this.server.connect(this.transport);
  }

  handle(request: Request, parsedBody: unknown, scope: HttpScope): Promise<Response> {
    const authInfo: AuthInfo = {
      token: '',
      clientId: scope.principal?.subject ?? 'anonymous',
      scopes: [...(scope.principal?.scopes ?? [])],
      extra: { scope },
    };
    return this.transport.handleRequest(request, { parsedBody, authInfo });
  }

  /** Tell the client that a list changed (on its GET stream, if it keeps one open). */
  notifyListChanged(kind: ListKind): void {
    const send = {
      tools: () => this.server.sendToolListChanged(),
      prompts: () => this.server.sendPromptListChanged(),
      resources: () => this.server.sendResourceListChanged(),
    }[kind];
    send().catch((error: unknown) => this.#options.logger.debug({ err: error, session: this.id }, 'list_changed not delivered'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.onClosed(this);
    await this.server.close().catch(() => {});
  }

  async #dispatch(request: JSONRPCRequest, extra: DispatchExtra): Promise<Record<string, unknown>> {
    const handler = methods[request.method];
    if (!handler) throw new RpcError(RpcCodes.METHOD_NOT_FOUND, `Method not found: ${request.method}`);
    const scope = extra.authInfo?.extra?.scope as HttpScope;
    const ctx: OperationContext = {
      method: request.method,
      requestId: scope.requestId,
      sessionId: this.id,
      principal: scope.principal,
      client: this.client,
      signal: AbortSignal.any([extra.signal, this.#options.cancel]),
      logger: scope.logger,
      state: scope.state,
    };
    const notify: Notify = (notification) => extra.sendNotification(notification as never);
    try {
      return (await this.#options.inFlight.track(() => handler(this.#options.proxy, ctx, request.params ?? {}, notify))) as Record<
        string,
        unknown
      >;
    } catch (error) {
      throw toRpcError(error, scope.logger, request.method);
    }
  }
}

interface DispatchExtra {
  signal: AbortSignal;
  authInfo?: AuthInfo;
  sendNotification: (notification: never) => Promise<void>;
}

/** What the client sees when an operation fails; unexpected errors are logged, not leaked. */
export function toRpcError(error: unknown, logger: Logger, method: string): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof GatewayError) {
    const data = { code: error.code, ...(error.plugin ? { plugin: error.plugin } : {}), ...error.data };
    if (error.rpcCode === RpcCodes.INTERNAL_ERROR) logger.warn({ err: error, method }, error.describe());
    return new RpcError(error.rpcCode, error.message, data);
  }
  logger.error({ err: error, method }, 'unexpected error in MCP operation');
  return new RpcError(RpcCodes.INTERNAL_ERROR, 'Internal error');
}

