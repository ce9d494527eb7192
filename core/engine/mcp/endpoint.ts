/**
 * An MCP endpoint, `/mcp` or a virtual one (Streamable HTTP, MCP 2025-11-25): checks what the spec
 * asks of the server before a message reaches a session (allowed verbs, `Origin`, a parsable body,
 * a known session that belongs to the caller and to this endpoint), opens a session on
 * `initialize`, and hands everything else to the session's transport.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Handler } from 'hono';
import type { GatewayContext, GatewayEnv, Logger, McpMessageContext, McpTarget } from '../../kernel/context.ts';
import type { OperationEvent } from '../../kernel/events.ts';
import { requestText } from '../http/request-body.ts';
import { nodeBindings, requestHeader } from '../../lib/request-header.ts';
import { requestedItem } from './requested.ts';
import { jsonRpcErrorResponse, rpcErrorResponse } from '../../lib/http/rpc-error-response.ts';
import { GatewayError, RpcCodes, RpcError } from '../../kernel/errors.ts';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage, type RequestId } from '../../kernel/protocol.ts';
import { directMessage } from './direct.ts';
import { answerHeaderOnly, envelopeVersion, MODERN_PROTOCOL_VERSIONS, refuseSession } from './era.ts';
import type { StatelessServer } from './stateless.ts';
import type { HttpScope } from './http-scope.ts';
import { DownstreamSession } from './session.ts';
import type { SessionRegistry } from './sessions.ts';
import type { SessionRecord } from '../../kernel/session-store.ts';
import { DEFAULT_ENDPOINT } from '../../kernel/config/endpoints.ts';

export interface McpEndpointOptions {
  /** The endpoint's name (`default`: `/mcp`): what its requests may see of the catalogue. */
  readonly endpoint: string;
  readonly sessions: SessionRegistry;
  /** The plugins' `onMcpMessage` chain around the delivery of a POSTed message to its session. */
  readonly onMessage: (
    terminal: (ctx: McpMessageContext) => Promise<Response>,
  ) => (ctx: McpMessageContext) => Promise<Response>;
  /** A request a plugin answered before it reached its session (a denial): for the access log and observers. */
  readonly onAnswered: (event: OperationEvent, logger: Logger) => void;
  /** What a request targets (its tool, prompt or resource) on an endpoint, for the hooks. */
  readonly target: (message: JSONRPCMessage, endpoint: string) => McpTarget | undefined;
  /** A new, unconnected session for a caller of an endpoint; with `restore`, the one another replica opened. */
  readonly createSession: (
    endpoint: string,
    subject: string | undefined,
    protocolVersion: string,
    restore?: SessionRecord,
  ) => DownstreamSession;
  readonly allowOrigin: (origin: string | undefined) => boolean;
  /** False once the gateway is stopping: no new sessions. */
  readonly accepting: () => boolean;
  /** Serves the requests of the stateless era (2026-07-28). */
  readonly stateless: StatelessServer;
}

type Stateless = Parameters<StatelessServer['serve']>[0];

/** The operation event of a request a plugin answered itself (the session never saw it). */
async function answeredEvent(ctx: McpMessageContext, response: Response, durationMs: number): Promise<OperationEvent> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const { code, message } = body?.error ?? {};
  const failed = response.status >= 400 || body?.error !== undefined;
  return {
    type: 'operation',
    requestId: ctx.requestId,
    sessionId: ctx.sessionId,
    endpoint: ctx.endpoint,
    method: ctx.method!,
    requested: requestedItem(ctx.method, (ctx.message as { params?: unknown }).params),
    target: ctx.target,
    outcome: failed ? 'error' : 'success',
    reason: failed ? (response.status === 403 || code === RpcCodes.FORBIDDEN ? 'denied' : 'rejected') : undefined,
    error: failed
      ? {
          code: typeof code === 'number' ? code : response.status,
          message: typeof message === 'string' ? message : `HTTP ${response.status}`,
        }
      : undefined,
    durationMs,
    subject: ctx.principal?.subject,
    arguments: (ctx.message as { params?: { arguments?: unknown } }).params?.arguments,
    state: ctx.state,
  };
}

/** A hook's failure (or its session's), as the client of that message should see it. */
function errorResponse(error: unknown, messageId: RequestId | undefined, scope: HttpScope): Response {
  const id = messageId;
  if (error instanceof RpcError) return jsonRpcErrorResponse(400, error.code, error.message, id, error.data);
  if (error instanceof GatewayError) {
    scope.logger.warn({ err: error }, error.describe());
    return jsonRpcErrorResponse(error.status, error.rpcCode, error.message, id, {
      code: error.code,
      ...(error.plugin && { plugin: error.plugin }),
    });
  }
  scope.logger.error({ err: error }, 'unexpected error while delivering an MCP message');
  return jsonRpcErrorResponse(500, RpcCodes.INTERNAL_ERROR, 'Internal error', id);
}

/**
 * What the HTTP layer knows about a request. Its web `AbortSignal` is made only if asked for. (A
 * class: the same as an object literal with a getter and a method, made per request, kept every
 * call's objects alive through V8's minor GCs, measured as twice the promotion to the old generation.)
 */
class RequestScope implements HttpScope {
  readonly requestId: string;
  readonly endpoint: string;
  readonly logger: Logger;
  readonly principal: HttpScope['principal'];
  readonly state: HttpScope['state'];
  readonly target: McpTarget | undefined;
  readonly #c: GatewayContext;

  constructor(c: GatewayContext, endpoint: string, target?: McpTarget) {
    this.#c = c;
    this.requestId = c.get('requestId');
    this.endpoint = endpoint;
    this.logger = c.get('logger');
    this.principal = c.get('principal');
    this.state = c.get('state');
    this.target = target;
  }

  get signal(): AbortSignal {
    return this.#c.req.raw.signal;
  }

  onGone(listener: (reason: unknown) => void): () => void {
    // Under Node, the response's own close event: what aborts the signal, without making one.
    const { outgoing } = nodeBindings(this.#c);
    if (outgoing) {
      const closed = () => {
        if (!outgoing.writableFinished) listener(new Error('the client closed the connection'));
      };
      if (outgoing.closed) return (closed(), () => {});
      outgoing.once('close', closed);
      return () => outgoing.off('close', closed);
    }
    const { signal } = this.#c.req.raw;
    const aborted = () => listener(signal.reason);
    if (signal.aborted) return (aborted(), () => {});
    signal.addEventListener('abort', aborted, { once: true });
    return () => signal.removeEventListener('abort', aborted);
  }
}

/**
 * What the hooks' terminal step needs of a message's request, on its context under a key plugins
 * do not see. (Not a WeakMap keyed by the context: V8's minor GCs keep such entries alive; see
 * the operation context's RUNTIME.)
 */
const DELIVERY = Symbol('delivery');
type Delivering = McpMessageContext & { [DELIVERY]: { readonly scope: HttpScope; delivered: boolean } };

/** The SDK transport's id for a session's GET stream (its other streams answer one request each). */
const STANDALONE_STREAM = '_GET_stream';

const isInitialize = (body: unknown): body is { params?: { protocolVersion?: unknown } } =>
  typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';

export function mcpEndpoint(options: McpEndpointOptions): Handler<GatewayEnv> {
  const { sessions, endpoint } = options;
  /** Sessions being taken over from the store, so that concurrent requests share one restore. */
  const restoring = new Map<string, Promise<DownstreamSession | undefined>>();
  const delivering = async (ctx: McpMessageContext) => {
    const delivery = (ctx as Delivering)[DELIVERY];
    delivery.delivered = true;
    return await deliver(ctx.http, ctx.message, delivery.scope);
  };
  const throughHooks = options.onMessage(delivering);
  // The chain is its own end when no plugin hooks messages: a message then goes straight to its
  // session, with no context made for hooks (a path every tool call takes).
  const hooked = throughHooks !== delivering;

  return async function handleMcp(c) {
    const verb = c.req.method;
    if (verb !== 'POST' && verb !== 'GET' && verb !== 'DELETE') {
      return rpcErrorResponse(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    if (!options.allowOrigin(requestHeader(c, 'origin'))) {
      return rpcErrorResponse(403, -32000, 'Forbidden: this Origin is not allowed');
    }
    if (verb !== 'POST') return deliver(c, undefined, new RequestScope(c, endpoint));
    let body: unknown;
    try {
      body = JSON.parse(await requestText(c));
    } catch {
      return rpcErrorResponse(400, RpcCodes.PARSE_ERROR, 'Parse error: Invalid JSON');
    }
    // Batches were removed from MCP in 2025-06-18; refusing them keeps every message under the hooks' eyes.
    if (Array.isArray(body))
      return rpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported');
    if (typeof body !== 'object' || body === null)
      return rpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: expected a JSON-RPC message');
    const message = body as JSONRPCMessage & { method?: unknown; id?: RequestId };
    const scope = new RequestScope(c, endpoint, options.target(message, endpoint));
    const id = typeof message.method === 'string' ? message.id : undefined;
    if (!hooked) {
      try {
        return await deliver(c, message, scope);
      } catch (error) {
        return errorResponse(error, id, scope);
      }
    }
    const ctx: McpMessageContext = {
      message,
      method: typeof message.method === 'string' ? message.method : undefined,
      id,
      target: scope.target,
      sessionId: requestHeader(c, 'mcp-session-id'),
      endpoint,
      principal: scope.principal,
      requestId: scope.requestId,
      logger: scope.logger,
      state: scope.state,
      http: c,
    };
    const delivery = { scope, delivered: false };
    (ctx as Delivering)[DELIVERY] = delivery;
    const started = performance.now();
    let response: Response;
    try {
      response = await throughHooks(ctx);
    } catch (error) {
      response = errorResponse(error, id, scope);
    }
    if (!delivery.delivered && ctx.method !== undefined && ctx.id !== undefined) {
      options.onAnswered(await answeredEvent(ctx, response, performance.now() - started), scope.logger);
    }
    return response;
  };

  function deliver(c: GatewayContext, body: unknown, scope: HttpScope): Promise<Response> | Response {
    const sessionId = requestHeader(c, 'mcp-session-id');
    const post = c.req.method === 'POST';
    // The body decides the era, the headers only cross-check it: a message with an envelope is
    // stateless, and so is an initialize that claims 2026-07-28 (which that era removed).
    const claim = post ? envelopeVersion(body) : undefined;
    if (sessionId === undefined) {
      const modernHeader = MODERN_PROTOCOL_VERSIONS.includes(requestHeader(c, 'mcp-protocol-version') ?? '');
      if (post && isInitialize(body) && !MODERN_PROTOCOL_VERSIONS.includes(claim as string))
        return modernHeader ? answerHeaderOnly(body) : openSession(c.req.raw, body, scope);
      if (claim !== undefined)
        return options.stateless.serve(body as Stateless, (name) => requestHeader(c, name), scope);
      if (modernHeader && post) return answerHeaderOnly(body);
      // A stateless client has no session to stream or end.
      if (modernHeader)
        return rpcErrorResponse(405, -32000, 'Method not allowed: protocol 2026-07-28 has no sessions', {
          allow: 'POST',
        });
      return rpcErrorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    if (claim !== undefined) return refuseSession(body);
    const session = sessions.get(sessionId);
    if (!session)
      return restore(sessionId, scope.principal?.subject).then((restored) =>
        restored ? serve(c, body, scope, restored) : notFound(),
      );
    // A session is only ever used by the principal that opened it, on the endpoint it was opened
    // on; to anyone else, or elsewhere, it does not exist (its catalogue is another endpoint's).
    if (session.subject !== scope.principal?.subject || session.endpoint !== endpoint) return notFound();
    if (sessions.unchecked(sessionId))
      return sessions.check(sessionId).then((live) => (live ? serve(c, body, scope, session) : notFound()));
    return serve(c, body, scope, session);
  }

  function serve(c: GatewayContext, body: unknown, scope: HttpScope, session: DownstreamSession): Promise<Response> {
    // Not waited for: nothing below depends on it, and a shared store would add a round trip to every request.
    void sessions.touch(session.id!);
    if (c.req.method === 'GET') return serveGet(c, body, scope, session);
    const direct =
      c.req.method === 'POST'
        ? directMessage(body, (name) => requestHeader(c, name), DownstreamSession.serves)
        : undefined;
    return (direct && session.direct(direct, scope)) || session.handle(c.req.raw, body, scope);
  }

  async function serveGet(
    c: GatewayContext,
    body: unknown,
    scope: HttpScope,
    session: DownstreamSession,
  ): Promise<Response> {
    const { request, stream } = await resumable(c.req.raw, session);
    const answered = await session.handle(request, body, scope);
    // The client's GET stream, new or resumed (not a replay of a request's answer stream).
    const standalone = stream === undefined || stream === STANDALONE_STREAM;
    if (standalone && answered.ok && answered.headers.get('content-type')?.includes('text/event-stream'))
      session.holdGetStream(scope.signal);
    return answered;
  }

  /**
   * A GET that resumes from an event this session cannot replay (one from another replica, or one
   * dropped since) starts a fresh stream rather than failing: the events in between are lost
   * either way, and the client keeps its stream for what comes next.
   */
  async function resumable(
    request: Request,
    session: DownstreamSession,
  ): Promise<{ request: Request; stream?: string }> {
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId === null) return { request };
    const stream = await session.streamOfEvent(lastEventId);
    if (stream !== undefined) return { request, stream };
    const headers = new Headers(request.headers);
    headers.delete('last-event-id');
    return { request: new Request(request, { headers }) };
  }

  /**
   * A session this replica does not hold but the (shared) store knows: another replica opened it.
   * Taken over here for the principal that opened it; to anyone else it does not exist.
   */
  function restore(sessionId: string, subject: string | undefined): Promise<DownstreamSession | undefined> {
    let pending = restoring.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const record = await sessions.record(sessionId).catch(() => undefined);
        // Past sessions.max this replica takes no more over; the client's next initialize says so (503).
        // A record from before virtual endpoints is a session of `/mcp`.
        const opened = record?.endpoint ?? DEFAULT_ENDPOINT;
        if (!record || record.subject !== subject || opened !== endpoint || !options.accepting() || sessions.full)
          return undefined;
        const session = options.createSession(
          endpoint,
          record.subject,
          record.protocolVersion ?? LATEST_PROTOCOL_VERSION,
          record,
        );
        await session.restore(record);
        // Not held when the session ended while this replica was taking it over.
        if (session.id === record.id && sessions.get(record.id) === session) return session;
        await session.close('ended');
        return undefined;
      })().finally(() => restoring.delete(sessionId));
      restoring.set(sessionId, pending);
    }
    return pending.then((session) =>
      session && session.subject === subject && session.endpoint === endpoint ? session : undefined,
    );
  }

  function notFound(): Response {
    return rpcErrorResponse(404, -32001, 'Session not found');
  }

  async function openSession(request: Request, body: { params?: { protocolVersion?: unknown } }, scope: HttpScope) {
    if (!options.accepting())
      return rpcErrorResponse(503, -32000, 'The gateway is shutting down', { 'retry-after': '5' });
    if (sessions.full)
      return rpcErrorResponse(503, -32000, 'Too many open sessions; retry later', { 'retry-after': '5' });
    const requested = body.params?.protocolVersion;
    const version = SUPPORTED_PROTOCOL_VERSIONS.includes(requested as string)
      ? (requested as string)
      : LATEST_PROTOCOL_VERSION;
    const session = options.createSession(endpoint, scope.principal?.subject, version);
    await session.connect();
    const response = await session.handle(request, body, scope);
    // The transport refused the initialize (406, 415, invalid message): nothing to keep.
    if (session.id === undefined) await session.close();
    return response;
  }
}
