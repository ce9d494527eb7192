/** A real MCP client (the SDK's) connected to a gateway or an upstream over Streamable HTTP. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

export async function connectClient(
  url: string,
  options: { headers?: Record<string, string>; capabilities?: ClientCapabilities } = {},
): Promise<Client> {
  const client = new Client(
    { name: 'mcp-gateway-tests', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: options.headers ?? {} },
  });
  await client.connect(transport);
  return client;
}

/** The text of a tool result's first content block. */
export const textOf = (result: Record<string, unknown>) => (result.content as { text: string }[])[0]!.text;

/** One JSON-RPC message POSTed on a session, as a client without the SDK sends it. */
export const postOnSession = (
  url: string,
  sessionId: string,
  body: object,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
      ...options.headers,
    },
    body: JSON.stringify(body),
    ...(options.signal && { signal: options.signal }),
  });
