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
