/**
 * The `/mcp` endpoint (Streamable HTTP, MCP 2025-11-25): checks what the spec asks of the server
 * before a message reaches a session (allowed verbs, `Origin`, a parsable body, a known session
 * that belongs to the caller), opens a session on `initialize`, and hands everything else to the
 * session's transport.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Handler } from 'hono';
import type { GatewayContext, GatewayEnv, Logger, McpMessageContext, McpTarget } from '../context.ts';
import type { OperationEvent } from '../events.ts';
import { requestHeader } from '../http/request-header.ts';
import { requestedItem } from './requested.ts';
import { GatewayError, RpcCodes, RpcError } from '../errors.ts';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage, type RequestId } from '../protocol.ts';
import { directMessage } from './direct.ts';
import { DownstreamSession, type HttpScope } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

export interface McpEndpointOptions {
  readonly sessions: SessionRegistry;
  /** The plugins' `onMcpMessage` chain around the delivery of a POSTed message to its session. */
  readonly onMessage: (terminal: (ctx: McpMessageContext) => Promise<Response>) => (ctx: McpMessageContext) => Promise<Response>;
  /** A request a plugin answered before it reached its session (a denial): for the access log and observers. */
  readonly onAnswered: (event: OperationEvent, logger: Logger) => void;
  /** What a request targets (its tool, prompt or resource), for the hooks. */
  readonly target: (message: JSONRPCMessage) => McpTarget | undefined;
  /** A new, unconnected session for a caller. */
  readonly createSession: (subject: string | undefined, protocolVersion: string) => DownstreamSession;
  readonly allowOrigin: (origin: string | undefined) => boolean;
  /** False once the gateway is stopping: no new sessions. */
  readonly accepting: () => boolean;
}

/** An HTTP error answer to a message not read (or not readable): a JSON-RPC error with `id: null`. */
export function rpcErrorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}, data?: unknown): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The operation event of a request a plugin answered itself (the session never saw it). */
async function answeredEvent(ctx: McpMessageContext, response: Response, durationMs: number): Promise<OperationEvent> {
  const body = (await response.clone().json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const { code, message } = body?.error ?? {};
  const failed = response.status >= 400 || body?.error !== undefined;
  return {
    type: 'operation',
    requestId: ctx.requestId,
    sessionId: ctx.sessionId,
    method: ctx.method!,
    requested: requestedItem(ctx.method, (ctx.message as { params?: unknown }).params),
    target: ctx.target,
    outcome: failed ? 'error' : 'success',
    reason: failed ? (response.status === 403 || code === RpcCodes.FORBIDDEN ? 'denied' : 'rejected') : undefined,
    error: failed ? { code: typeof code === 'number' ? code : response.status, message: typeof message === 'string' ? message : `HTTP ${response.status}` } : undefined,
    durationMs,
    subject: ctx.principal?.subject,
    arguments: (ctx.message as { params?: { arguments?: unknown } }).params?.arguments,
    state: ctx.state,
  };
}

/** A hook's failure, as the client of that message should see it. */
function errorResponse(error: unknown, ctx: McpMessageContext, scope: HttpScope): Response {
  const id = ctx.id ?? null;
  if (error instanceof RpcError) return jsonRpcError(400, id, error.code, error.message, error.data);
  if (error instanceof GatewayError) {
    scope.logger.warn({ err: error }, error.describe());
    return jsonRpcError(error.status, id, error.rpcCode, error.message, { code: error.code, ...(error.plugin && { plugin: error.plugin }) });
  }
  scope.logger.error({ err: error }, 'unexpected error in an onMcpMessage hook');
  return jsonRpcError(500, id, RpcCodes.INTERNAL_ERROR, 'Internal error');
}

function jsonRpcError(status: number, id: RequestId | null, code: number, message: string, data?: unknown): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const isInitialize = (body: unknown): body is { params?: { protocolVersion?: unknown } } =>
  typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';

export function mcpEndpoint(options: McpEndpointOptions): Handler<GatewayEnv> {
  const { sessions } = options;
  const scopes = new WeakMap<McpMessageContext, HttpScope>();
  const delivered = new WeakSet<McpMessageContext>();
  const throughHooks = options.onMessage(async (ctx) => {
    delivered.add(ctx);
    return deliver(ctx.http, ctx.message, scopes.get(ctx)!);
  });

  return async function handleMcp(c) {
    const verb = c.req.method;
    if (verb !== 'POST' && verb !== 'GET' && verb !== 'DELETE') {
      return rpcErrorResponse(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    if (!options.allowOrigin(requestHeader(c, 'origin'))) {
      return rpcErrorResponse(403, -32000, 'Forbidden: this Origin is not allowed');
    }
    const request: HttpScope = {
      requestId: c.get('requestId'),
      logger: c.get('logger'),
      principal: c.get('principal'),
      state: c.get('state'),
      signal: c.req.raw.signal,
    };
    if (verb !== 'POST') return deliver(c, undefined, request);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return rpcErrorResponse(400, RpcCodes.PARSE_ERROR, 'Parse error: Invalid JSON');
    }
    // Batches were removed from MCP in 2025-06-18; refusing them keeps every message under the hooks' eyes.
    if (Array.isArray(body)) return rpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported');
    if (typeof body !== 'object' || body === null) return rpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: expected a JSON-RPC message');
    const message = body as JSONRPCMessage & { method?: unknown; id?: RequestId };
    const scope: HttpScope = { ...request, target: options.target(message) };
    const ctx: McpMessageContext = {
      message,
      method: typeof message.method === 'string' ? message.method : undefined,
      id: typeof message.method === 'string' ? message.id : undefined,
      target: scope.target,
      sessionId: requestHeader(c, 'mcp-session-id'),
      principal: scope.principal,
      requestId: scope.requestId,
      logger: scope.logger,
      state: scope.state,
      http: c,
    };
    scopes.set(ctx, scope);
    const started = performance.now();
    let response: Response;
    try {
      response = await throughHooks(ctx);
    } catch (error) {
      response = errorResponse(error, ctx, scope);
    }
    if (!delivered.has(ctx) && ctx.method !== undefined && ctx.id !== undefined) {
      options.onAnswered(await answeredEvent(ctx, response, performance.now() - started), scope.logger);
    }
    return response;
  };

  function deliver(c: GatewayContext, body: unknown, scope: HttpScope): Promise<Response> | Response {
    const sessionId = requestHeader(c, 'mcp-session-id');
    if (sessionId === undefined) {
      if (c.req.method === 'POST' && isInitialize(body)) return openSession(c.req.raw, body, scope);
      return rpcErrorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const session = sessions.get(sessionId);
    // A session is only ever used by the principal that opened it; to anyone else it does not exist.
    if (!session || session.subject !== scope.principal?.subject) {
      return rpcErrorResponse(404, -32001, 'Session not found');
    }
    const direct = c.req.method === 'POST' ? directMessage(body, (name) => requestHeader(c, name), DownstreamSession.serves) : undefined;
    return sessions.touch(sessionId).then(() => (direct && session.direct(direct, scope)) || session.handle(c.req.raw, body, scope));
  }

  async function openSession(request: Request, body: { params?: { protocolVersion?: unknown } }, scope: HttpScope) {
    if (!options.accepting()) return rpcErrorResponse(503, -32000, 'The gateway is shutting down', { 'retry-after': '5' });
    if (sessions.full) return rpcErrorResponse(503, -32000, 'Too many open sessions; retry later', { 'retry-after': '5' });
    const requested = body.params?.protocolVersion;
    const version = SUPPORTED_PROTOCOL_VERSIONS.includes(requested as string) ? (requested as string) : LATEST_PROTOCOL_VERSION;
    const session = options.createSession(scope.principal?.subject, version);
    await session.connect();
    const response = await session.handle(request, body, scope);
    // The transport refused the initialize (406, 415, invalid message): nothing to keep.
    if (session.id === undefined) await session.close();
    return response;
  }
}
