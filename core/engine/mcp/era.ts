/**
 * Which protocol era a message POSTed to `/mcp` speaks. A 2026-07-28 request is stateless: it
 * carries its envelope (the protocol version, the client's capabilities) in `params._meta` and
 * names no session; a 2025-11-25 client opens a session with `initialize` and names it after.
 *
 * The gateway serves the 2025 era (2025-11-25 and the versions before it). A modern request is
 * answered as the 2026-07-28 specification has a server answer a version it does not support:
 * 400 with -32022 and the versions it does, so that a client that negotiates falls back to
 * `initialize`, and one pinned to the new era says why it cannot connect.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { RequestId } from '../../kernel/protocol.ts';

/** Where a 2026-07-28 request carries its protocol version. */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** JSON-RPC error of 2026-07-28: the request's protocol version is not one the server speaks. */
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** The protocol version in a request's 2026-07-28 envelope, or undefined for a message without one. */
export function envelopeVersion(message: unknown): unknown {
  const params = (message as { params?: unknown } | null)?.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  return (meta as Record<string, unknown>)[PROTOCOL_VERSION_META_KEY];
}

/** The answer to a request in an era the gateway does not speak (`version` as the request gave it). */
export function unsupportedVersion(version: unknown, id: RequestId | undefined): Response {
  const named = typeof version === 'string' ? version : JSON.stringify(version);
  const body = {
    jsonrpc: '2.0',
    id: id ?? null,
    error: {
      code: UNSUPPORTED_PROTOCOL_VERSION,
      message: `Unsupported protocol version ${named}: this gateway speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}, through initialize`,
      data: { supported: SUPPORTED_PROTOCOL_VERSIONS, requested: version },
    },
  };
  return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
}
