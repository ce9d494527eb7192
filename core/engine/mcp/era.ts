/**
 * Which protocol era a message POSTed to `/mcp` speaks. A 2026-07-28 request is stateless: it
 * carries its envelope (the protocol version, the client's capabilities and identity) in
 * `params._meta` and names no session (stateless.ts serves it); a 2025 client opens a session
 * with `initialize` and names it after. A request of a version the gateway does not speak gets
 * the new era's -32022 with those it does, so that a client that negotiates can choose.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { RpcCodes } from '../../kernel/errors.ts';
import type { RequestId } from '../../kernel/protocol.ts';
import { jsonRpcErrorResponse } from '../../lib/http/rpc-error-response.ts';

/** The stateless versions the gateway serves. */
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];

/** Every version the gateway speaks: the stateless ones, then those of sessions (`initialize`). */
export const SPOKEN_PROTOCOL_VERSIONS: readonly string[] = [
  ...MODERN_PROTOCOL_VERSIONS,
  ...SUPPORTED_PROTOCOL_VERSIONS,
];

/** Where a 2026-07-28 request carries its envelope, and a result the server's identity. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** The keys of a request's envelope: the client's to the gateway, not to be sent on in another era's session. */
const envelopeKeys: readonly string[] = [META.protocolVersion, META.clientCapabilities, META.clientInfo, META.logLevel];

/**
 * `params` without the 2026-07-28 envelope in its `_meta`: what an upstream session of the 2025
 * era is sent (a server that speaks both eras refuses a 2025 request whose body names 2026-07-28).
 */
export function withoutEnvelope(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!meta) return params;
  const kept = Object.fromEntries(Object.entries(meta).filter(([key]) => !envelopeKeys.includes(key)));
  const { _meta: _, ...rest } = params!;
  return Object.keys(kept).length === 0 ? rest : { ...rest, _meta: kept };
}

/** JSON-RPC errors of 2026-07-28. */
export const EraErrors = {
  /** A header disagrees with the body (or is missing). */
  HEADER_MISMATCH: -32020,
  /** The request's protocol version is not one the server speaks. */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

/** The `_meta` of a request's params, if it has one. */
export function requestMeta(message: unknown): Record<string, unknown> | undefined {
  const params = (message as { params?: unknown } | null)?.params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined;
}

/** The protocol version in a request's 2026-07-28 envelope, or undefined for a message without one. */
export const envelopeVersion = (message: unknown): unknown => requestMeta(message)?.[META.protocolVersion];

/** The answer to a request in a version the gateway does not speak (`version` as the request gave it). */
export function unsupportedVersion(version: unknown, id: RequestId | undefined): Response {
  // What the client sent is told back only when it looks like a version, never at any length.
  const requested = typeof version === 'string' && version.length <= 32 ? version : undefined;
  return jsonRpcErrorResponse(
    400,
    EraErrors.UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version ${requested ?? `(a ${typeof version})`}: this gateway speaks ${SPOKEN_PROTOCOL_VERSIONS.join(', ')} (the 2025 ones through initialize)`,
    id,
    { supported: SPOKEN_PROTOCOL_VERSIONS, ...(requested !== undefined && { requested }) },
  );
}

/**
 * The answer to a POST whose `MCP-Protocol-Version` header names the stateless era but whose body
 * has no envelope version: a request of that era that is missing part of its `_meta` (400, as
 * for any other envelope key it lacks), not a session's request.
 */
export function missingEnvelope(message: unknown): Response {
  const id = (message as { id?: unknown } | null)?.id;
  return jsonRpcErrorResponse(
    400,
    RpcCodes.INVALID_PARAMS,
    `Invalid params: a ${MODERN_PROTOCOL_VERSIONS.join(' or ')} request carries _meta["${META.protocolVersion}"]`,
    typeof id === 'string' || typeof id === 'number' ? id : undefined,
  );
}
