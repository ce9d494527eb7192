/** An HTTP error answer to a message not read (or not readable): a JSON-RPC error with `id: null`. */
export function rpcErrorResponse(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
  data?: unknown,
): Response {
  return new Response(
    JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id: null }),
    {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    },
  );
}
