import type { RequestId } from '../../kernel/protocol.ts';

/** An HTTP error answer in JSON-RPC form: to the request `id`, or `null` for a message not read. */
export function jsonRpcErrorResponse(
  status: number,
  code: number,
  message: string,
  id: RequestId | null | undefined,
  data?: unknown,
  headers: Record<string, string> = {},
): Response {
  const error = { code, message, ...(data === undefined ? {} : { data }) };
  return new Response(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** An HTTP error answer to a message not read (or not readable): a JSON-RPC error with `id: null`. */
export function rpcErrorResponse(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  data?: unknown,
): Response {
  return jsonRpcErrorResponse(status, code, message, null, data, headers);
}
