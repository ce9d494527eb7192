/**
 * The HTTP headers of a 2026-07-28 request, derived from its body as the spec has a client do:
 * `MCP-Protocol-Version` from the version its `_meta` claims, `Mcp-Method`, and `Mcp-Name` from the
 * parameter that names what the request acts on. Derived from the message sent, never from a
 * connection's state, so the headers always match the body the server checks them against.
 */
import type { JSONRPCMessage } from '../../kernel/protocol.ts';

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** The parameter `Mcp-Name` mirrors, by method. */
const namedBy: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/**
 * The headers of `message` if it is a request of the 2026-07-28 era (its `params._meta` claims a
 * protocol version); undefined for any other message, which belongs to a 2025 session.
 */
export function modernRequestHeaders(message: JSONRPCMessage): Record<string, string> | undefined {
  const { method, params } = message as { method?: unknown; params?: Record<string, unknown> };
  const version = (params?._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY];
  if (typeof method !== 'string' || typeof version !== 'string') return undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': method };
  const key = namedBy[method];
  const name = key === undefined ? undefined : params?.[key];
  if (typeof name === 'string') headers['mcp-name'] = headerValue(name);
  return headers;
}

/**
 * A value as an HTTP field may carry it: as is when it is printable ASCII without edge spaces,
 * else `=?base64?<UTF-8 in base64>?=` (so is a value that already looks encoded, which would
 * otherwise be decoded by the server into something else).
 */
function headerValue(value: string): string {
  const plain =
    value !== '' && value === value.trim() && /^[\t\x20-\x7e]*$/.test(value) && !/^=\?base64\?.*\?=$/.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
