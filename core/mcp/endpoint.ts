/**
 * The `/mcp` endpoint (Streamable HTTP, MCP 2025-11-25): checks what the spec asks of the server
 * before a message reaches a session (allowed verbs, `Origin`, a parsable body, a known session
 * that belongs to the caller), opens a session on `initialize`, and hands everything else to the
 * session's transport.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Handler } from 'hono';
import type { GatewayEnv } from '../context.ts';
import { LATEST_PROTOCOL_VERSION } from '../protocol.ts';
import type { DownstreamSession, HttpScope } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

export interface McpEndpointOptions {
  readonly sessions: SessionRegistry;
  /** A new, unconnected session for a caller. */
  readonly createSession: (subject: string | undefined, protocolVersion: string) => DownstreamSession;
  readonly allowOrigin: (origin: string | undefined) => boolean;
  /** False once the gateway is stopping: no new sessions. */
  readonly accepting: () => boolean;
}

export function rpcErrorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const isInitialize = (body: unknown): body is { params?: { protocolVersion?: unknown } } =>
  typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';

export function mcpEndpoint(options: McpEndpointOptions): Handler<GatewayEnv> {
  const { sessions } = options;

  return async function handleMcp(c) {
    const verb = c.req.method;
    if (verb !== 'POST' && verb !== 'GET' && verb !== 'DELETE') {
      return rpcErrorResponse(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    if (!options.allowOrigin(c.req.header('origin'))) {
      return rpcErrorResponse(403, -32000, 'Forbidden: this Origin is not allowed');
    }
    const scope: HttpScope = {
      requestId: c.var.requestId,
      logger: c.var.logger,
      principal: c.var.principal,
      state: c.var.state,
      signal: c.req.raw.signal,
    };
    let body: unknown;
    if (verb === 'POST') {
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return rpcErrorResponse(400, -32700, 'Parse error: Invalid JSON');
      }
    }

    const sessionId = c.req.header('mcp-session-id');
    if (sessionId === undefined) {
      if (verb === 'POST' && isInitialize(body)) return openSession(c.req.raw, body, scope);
      return rpcErrorResponse(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const session = sessions.get(sessionId);
    // A session is only ever used by the principal that opened it; to anyone else it does not exist.
    if (!session || session.subject !== scope.principal?.subject) {
      return rpcErrorResponse(404, -32001, 'Session not found');
    }
    await sessions.touch(sessionId);
    return session.handle(c.req.raw, body, scope);
  };

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
