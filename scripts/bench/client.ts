/** The benchmark's MCP client: the SDK's own, named so that upstream logs tell it apart. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export const benchClient = () => new Client({ name: 'mcp-gateway-bench', version: '1.0.0' });

/** A bench client connected (initialized) over `transport`. */
export async function connectedClient(transport: Transport): Promise<Client> {
  const client = benchClient();
  await client.connect(transport);
  return client;
}
