/**
 * Raw 2026-07-28 requests for tests of bad input: a seeded generator (the same cases on every
 * run, so a failure names a case that fails again), requests with the headers their body implies,
 * and the checks every answer to bad input must pass whatever its verdict: no 5xx, nothing of
 * the gateway's insides, nothing of the input echoed at length. The SDK's `classifyInboundRequest`
 * is the oracle for the verdicts it gives.
 */
import { classifyInboundRequest } from '@modelcontextprotocol/server';
import { expect } from 'vitest';
import { namedParam } from 'mcp-gateway/http';

export const MODERN = '2026-07-28';

export const KEY = {
  version: 'io.modelcontextprotocol/protocolVersion',
  capabilities: 'io.modelcontextprotocol/clientCapabilities',
  info: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
} as const;

export const envelope = (): Record<string, unknown> => ({
  [KEY.version]: MODERN,
  [KEY.capabilities]: {},
  [KEY.info]: { name: 'fuzz', version: '1.0.0' },
});

/** A small seeded PRNG (mulberry32): fast, and enough to spread cases. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const word = (length = 1 + int(12)) =>
    Array.from({ length }, () => pick([...'abcdefghijklmnopqrstuvwxyz_/-.0123456789'])).join('');
  return { next, int, pick, word };
}
export type Random = ReturnType<typeof seeded>;

/** A request body of the new era; `params._meta` gets the envelope unless `params` has its own `_meta`. */
export function modernBody(method: string, params: Record<string, unknown> = {}, id: unknown = 1) {
  return { jsonrpc: '2.0', id, method, params: { _meta: envelope(), ...params } };
}

/** The headers a client derives from a body (the SDK v2 client's rules), without the base64 form. */
export function impliedHeaders(body: unknown): Record<string, string> {
  const message = (typeof body === 'object' && body !== null ? body : {}) as {
    method?: unknown;
    params?: Record<string, unknown>;
  };
  const params = typeof message.params === 'object' && message.params !== null ? message.params : {};
  const meta = params._meta as Record<string, unknown> | undefined;
  const version = typeof meta?.[KEY.version] === 'string' ? (meta[KEY.version] as string) : MODERN;
  const method = typeof message.method === 'string' ? message.method : undefined;
  const field = method === undefined ? undefined : namedParam(method);
  const name = field === undefined ? undefined : params[field];
  return {
    'mcp-protocol-version': version,
    ...(method !== undefined && { 'mcp-method': method }),
    ...(typeof name === 'string' && { 'mcp-name': name }),
  };
}

export const baseHeaders = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** Headers: the implied ones, then `overrides`, where `undefined` removes a header. */
export function headersFor(body: unknown, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...baseHeaders, ...impliedHeaders(body), ...overrides };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The SDK's verdict on a POST, where it rejects (its other verdicts name rungs it leaves to the server). */
export function oracleRejection(body: unknown, headers: Record<string, string>) {
  const verdict = classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: headers['mcp-protocol-version'],
    mcpMethodHeader: headers['mcp-method'],
    mcpNameHeader: headers['mcp-name'],
    body,
  });
  return verdict.kind === 'reject' ? { status: verdict.httpStatus, code: verdict.code } : undefined;
}

/** What gives away the gateway's insides: a stack frame, a source path, a module folder. */
const insides = /\bat \S+ \(|\bat file:|node_modules|\/core\/(engine|kernel|lib)\/|\.ts:\d+/;

/**
 * The text of an answer to bad input, checked for what any verdict must honour: not a 5xx,
 * nothing of the gateway's insides, and short (no echo of a huge input).
 */
export async function sane(response: Response, label: string, limit = 4096): Promise<string> {
  const text = await response.text();
  expect(response.status, `${label}: status`).toBeLessThan(500);
  expect(text, `${label}: insides`).not.toMatch(insides);
  expect(text.length, `${label}: length`).toBeLessThan(limit);
  return text;
}

/** The JSON-RPC error in an answer's text, checked for its form, code and (bounded) message. */
export function rpcError(text: string, label: string, code: number): { id: unknown; message: string } {
  const answer = JSON.parse(text) as { jsonrpc?: unknown; id?: unknown; error?: { code?: unknown; message?: unknown } };
  expect({ jsonrpc: answer.jsonrpc, code: answer.error?.code }, label).toEqual({ jsonrpc: '2.0', code });
  expect(typeof answer.error?.message, label).toBe('string');
  expect((answer.error!.message as string).length, `${label}: message length`).toBeLessThan(512);
  return { id: answer.id, message: answer.error!.message as string };
}
