/** Raw 2026-07-28 requests, for what a client library would never send (or to see the wire). */
import type { TestGateway } from 'mcp-gateway/testing';

export const MODERN = '2026-07-28';

/** POST one 2026-07-28 request, with the headers its body implies unless `headers` overrides them. */
export function modernRequest(
  gateway: Pick<TestGateway, 'request'>,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  capabilities: Record<string, unknown> = {},
  path = '/mcp',
): Promise<Response> {
  const name = params.name ?? params.uri ?? params.taskId;
  return gateway.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(typeof name === 'string' && { 'mcp-name': name }),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'r1',
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': capabilities,
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          ...(params._meta as object | undefined),
        },
      },
    }),
  });
}
