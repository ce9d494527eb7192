/**
 * Clients of the 2026-07-28 era (the SDK's v2 client) at a gateway that serves the 2025 era: a
 * client that negotiates falls back to `initialize` and works; one pinned to the new era is told,
 * with the protocol's own error (-32022), which versions the gateway speaks; a stateless request
 * never reaches a session or an upstream.
 */
import { Client, StreamableHTTPClientTransport, UnsupportedProtocolVersionError } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let gateway: TestGateway;
let upstreamConnections = 0;

beforeAll(async () => {
  gateway = await startTestGateway({
    servers: {
      notes: () => {
        upstreamConnections++;
        const server = new McpServer({ name: 'notes', version: '1.0.0' });
        server.registerTool('list', { description: 'Lists the notes' }, async () => ({
          content: [{ type: 'text', text: 'buy milk' }],
        }));
        return server;
      },
    },
  });
});
afterAll(() => gateway?.close());

function v2Client(mode: 'auto' | { pin: string }) {
  const client = new Client({ name: 'v2-client', version: '1.0.0' }, { versionNegotiation: { mode } });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), { fetch: gateway.fetch });
  return { client, transport };
}

it('lets a negotiating client of the new era fall back to initialize, and serves it', async () => {
  const { client, transport } = v2Client('auto');
  await client.connect(transport);
  try {
    expect(client.getServerVersion()?.name).toBe('mcp-gateway');
    const result = await client.callTool({ name: 'notes__list', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'buy milk' }]);
  } finally {
    await client.close();
  }
});

it('tells a client pinned to 2026-07-28 which versions it speaks, with -32022', async () => {
  const { client, transport } = v2Client({ pin: '2026-07-28' });
  const refused = await client.connect(transport).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(UnsupportedProtocolVersionError);
  expect((refused as UnsupportedProtocolVersionError).data).toMatchObject({
    supported: SUPPORTED_PROTOCOL_VERSIONS,
    requested: '2026-07-28',
  });
});

it('answers a stateless request with its id and the protocol error, before any session or upstream', async () => {
  const before = upstreamConnections;
  const response = await gateway.request('/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'notes__list',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'call-1',
      method: 'tools/call',
      params: {
        name: 'notes__list',
        arguments: {},
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
  expect(response.status).toBe(400);
  expect(response.headers.get('mcp-session-id')).toBeNull();
  expect(await response.json()).toMatchObject({
    jsonrpc: '2.0',
    id: 'call-1',
    error: { code: -32022, data: { supported: SUPPORTED_PROTOCOL_VERSIONS, requested: '2026-07-28' } },
  });
  expect(upstreamConnections).toBe(before);
});

it('still asks a 2025 client that names no session for one', async () => {
  const response = await gateway.request('/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({
    error: { code: -32000, message: expect.stringContaining('Mcp-Session-Id') },
  });
});
