/**
 * The fast path: which POSTed messages on an established session the gateway answers itself,
 * without the SDK's transport and `Server`. Those cost more CPU per call than the rest of the
 * gateway together (a web `Request` per POST, zod validation of every message, an SSE stream per
 * answer), and a gateway is a tax on every tool call. A message qualifies when it is plainly
 * valid: a JSON-RPC request for one of the gateway's operations with acceptable headers, or the
 * client's answer to (or cancellation of) something the fast path started. Anything else (bad
 * headers, malformed messages, `ping`, notifications) goes to the SDK, which owns the errors the
 * spec prescribes for them.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { RequestId } from '../../kernel/protocol.ts';
import type { ClientAnswer } from '../../kernel/session-bus.ts';

export interface DirectRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
}

export type DirectMessage =
  | { readonly kind: 'request'; readonly request: DirectRequest }
  | { readonly kind: 'answer'; readonly answer: ClientAnswer }
  | { readonly kind: 'cancelled'; readonly requestId: RequestId; readonly reason: unknown };

type Header = (name: Lowercase<string>) => string | undefined;

const isId = (id: unknown): id is RequestId => typeof id === 'string' || Number.isInteger(id);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The headers the SDK transport would accept for a POST (else it answers 406, 415 or 400 itself). */
function acceptableHeaders(header: Header): boolean {
  const accept = header('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  if (!header('content-type')?.includes('application/json')) return false;
  const version = header('mcp-protocol-version');
  return version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

/** The message, if the fast path may handle it; `handles` says which request methods it serves. */
export function directMessage(
  body: unknown,
  header: Header,
  handles: (method: string) => boolean,
): DirectMessage | undefined {
  if (!isObject(body) || body.jsonrpc !== '2.0' || !acceptableHeaders(header)) return undefined;
  const { id, method, params } = body;
  if (typeof method === 'string') {
    if (params !== undefined && !isObject(params)) return undefined;
    if (id === undefined) {
      if (method !== 'notifications/cancelled' || !isId(params?.requestId)) return undefined;
      return { kind: 'cancelled', requestId: params.requestId, reason: params.reason };
    }
    if (!isId(id) || !handles(method)) return undefined;
    return { kind: 'request', request: { id, method, params } };
  }
  if (!isId(id)) return undefined;
  if (isObject(body.result) && body.error === undefined) return { kind: 'answer', answer: { id, result: body.result } };
  const { error } = body;
  if (
    isObject(error) &&
    typeof error.code === 'number' &&
    typeof error.message === 'string' &&
    body.result === undefined
  ) {
    return { kind: 'answer', answer: { id, error: { code: error.code, message: error.message, data: error.data } } };
  }
  return undefined;
}
