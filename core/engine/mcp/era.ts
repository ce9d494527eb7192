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

/** A JSON object: not null, not a list. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What kind of JSON-RPC message a body is, by the spec's schema (`params` and its `_meta` objects,
 * an integer or string id); undefined for a body that is none.
 */
export function messageKind(body: unknown): 'request' | 'notification' | 'response' | undefined {
  if (!isObject(body) || body.jsonrpc !== '2.0') return undefined;
  if (body.method === undefined) return 'result' in body || 'error' in body ? 'response' : undefined;
  const { method, params } = body;
  const paramsValid =
    params === undefined || (isObject(params) && (params._meta === undefined || isObject(params._meta)));
  if (typeof method !== 'string' || !paramsValid) return undefined;
  if (body.id === undefined) return 'notification';
  return typeof body.id === 'string' || Number.isInteger(body.id) ? 'request' : undefined;
}

/** JSON-RPC errors of 2026-07-28. */
export const EraErrors = {
  /** A header disagrees with the body (or is missing). */
  HEADER_MISMATCH: -32020,
  /** Serving the request needs a capability the client did not declare. */
  MISSING_CAPABILITY: -32021,
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
 * The answer to a POST without a session whose `MCP-Protocol-Version` names the new era but whose
 * body carries no envelope (the body decides the era; the header only cross-checks it): a request
 * lacks its envelope, a notification has nothing to answer, and a 2026-07-28 client has no server
 * requests to respond to.
 */
export function answerHeaderOnly(body: unknown): Response {
  const kind = messageKind(body);
  const { id, method } = body as { id?: RequestId; method?: unknown };
  if (kind === 'notification') return new Response(null, { status: 202 });
  if (kind === 'request' && method === 'initialize')
    return jsonRpcErrorResponse(
      400,
      EraErrors.HEADER_MISMATCH,
      'Header mismatch: initialize opens a 2025 session, but MCP-Protocol-Version names 2026-07-28',
      id,
    );
  if (kind === 'request')
    return jsonRpcErrorResponse(
      400,
      RpcCodes.INVALID_PARAMS,
      `Invalid params: MCP-Protocol-Version names 2026-07-28, but _meta lacks the envelope ("${META.protocolVersion}", "${META.clientCapabilities}")`,
      id,
    );
  return jsonRpcErrorResponse(
    400,
    RpcCodes.INVALID_REQUEST,
    kind === 'response'
      ? 'Invalid Request: a 2026-07-28 client has no server requests to respond to'
      : 'Invalid Request: not a JSON-RPC message',
    undefined,
  );
}

/**
 * The answer to a message that claims 2026-07-28 and names a session: served in the session, it
 * would mix the eras; served without, the client would believe in a session it does not have
 * (agentgateway refuses it too).
 */
export function refuseSession(body: unknown): Response {
  const id = messageKind(body) === 'request' ? (body as { id: RequestId }).id : undefined;
  return jsonRpcErrorResponse(
    400,
    RpcCodes.INVALID_REQUEST,
    'Invalid Request: protocol 2026-07-28 has no sessions; send no Mcp-Session-Id',
    id,
  );
}
