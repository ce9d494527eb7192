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

/** The parameter of `method` that `Mcp-Name` repeats (`name`, `uri`, `taskId`); undefined for a method it does not name. */
export const namedParam = (method: string): string | undefined =>
  Object.hasOwn(namedBy, method) ? namedBy[method] : undefined;

/**
 * The headers of `message` if it is a request of the 2026-07-28 era (its `params._meta` claims a
 * protocol version); undefined for any other message, which belongs to a 2025 session.
 */
export function modernRequestHeaders(message: JSONRPCMessage): Record<string, string> | undefined {
  const { method, params } = message as { method?: unknown; params?: Record<string, unknown> };
  const version = (params?._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY];
  if (typeof method !== 'string' || typeof version !== 'string') return undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': method };
  const key = namedParam(method);
  const name = key === undefined ? undefined : params?.[key];
  if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
  return headers;
}

/**
 * A value as an HTTP field may carry it: as is when it is printable ASCII without edge spaces,
 * else `=?base64?<UTF-8 in base64>?=` (so is a value that already looks encoded, which would
 * otherwise be decoded by the server into something else).
 */
export function encodeHeaderValue(value: string): string {
  const plain =
    value !== '' && value === value.trim() && /^[\t\x20-\x7e]*$/.test(value) && !/^=\?base64\?.*\?=$/.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header's value as sent: plain, or decoded from `=?base64?...?=`; undefined for a base64 form
 * that is not canonical or not UTF-8 (the spec has servers reject those, so that two spellings of
 * one value cannot pass one check and another).
 */
export function decodeHeaderValue(value: string): string | undefined {
  const encoded = /^=\?base64\?(.*)\?=$/s.exec(value)?.[1];
  if (encoded === undefined) return value;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The arguments a tool's input schema has mirrored in headers (SEP-2243): each top-level property
 * marked `x-mcp-header: <Name>`, as `[argument, header]` with the header `mcp-param-<name>`.
 */
export function mirroredArguments(inputSchema: unknown): readonly (readonly [string, string])[] {
  if (typeof inputSchema !== 'object' || inputSchema === null) return [];
  // Read once per schema: every call of the tool asks again.
  let mirrored = mirroredBySchema.get(inputSchema);
  if (!mirrored) mirroredBySchema.set(inputSchema, (mirrored = readMirrored(inputSchema)));
  return mirrored;
}

const mirroredBySchema = new WeakMap<object, readonly (readonly [string, string])[]>();

function readMirrored(inputSchema: object): readonly (readonly [string, string])[] {
  const properties = (inputSchema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.entries(properties).flatMap(([argument, schema]) => {
    const name = (schema as { 'x-mcp-header'?: unknown } | null)?.['x-mcp-header'];
    return typeof name === 'string' && name !== '' ? [[argument, `mcp-param-${name.toLowerCase()}`] as const] : [];
  });
}

/** The `Mcp-Param-*` headers of a `tools/call` with `args`, for a tool with `inputSchema`. */
export function paramHeaders(inputSchema: unknown, args: Readonly<Record<string, unknown>> | undefined) {
  const headers: Record<string, string> = {};
  for (const [argument, header] of mirroredArguments(inputSchema)) {
    const value = args?.[argument];
    if (value !== undefined && value !== null && typeof value !== 'object')
      headers[header] = encodeHeaderValue(String(value));
  }
  return headers;
}
