/**
 * Both protocol eras on `/mcp`. Clients of 2026-07-28 (the SDK's v2 client, and raw requests for
 * what a client library would never send) are served statelessly, through the same operations,
 * hooks and policy as 2025 sessions: `server/discover`, lists and calls, results stamped as that
 * era wants them, progress on the request's own stream. Headers are checked against the body,
 * removed methods and sessions' verbs are refused, an unknown version is answered with the
 * versions the gateway speaks; 2025 clients go on as before.
 */
import { Client, StreamableHTTPClientTransport, UnsupportedProtocolVersionError } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  SUPPORTED_PROTOCOL_VERSIONS,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { messagesOf } from '../helpers/in-process.ts';
import { MODERN, modernRequest } from '../helpers/modern-request.ts';

let gateway: TestGateway;
let upstreamConnections = 0;
const seen: { method: string; sessionId: string | undefined; client: unknown }[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({
    config: {
      auth: { permissions: { 'notes:*': ['scope:notes'] } },
    },
    plugins: [
      './test/fixtures/plugins/claims-principal.ts',
      {
        plugin: {
          name: 'sees-operations',
          version: '1.0.0',
          setup: () => ({
            async onCallTool(call, next) {
              seen.push({ method: call.method, sessionId: call.sessionId, client: call.client });
              return next();
            },
          }),
        },
      },
    ],
    servers: {
      notes: () => {
        upstreamConnections++;
        const server = new McpServer({ name: 'notes', version: '1.0.0' });
        server.registerTool(
          'list',
          { description: 'Lists the notes', outputSchema: { notes: z.array(z.string()) } },
          async () => ({ content: [{ type: 'text', text: 'buy milk' }], structuredContent: { notes: ['buy milk'] } }),
        );
        server.registerTool('slow', { description: 'Tells its progress' }, async (extra) => {
          const token = extra._meta?.progressToken;
          if (token !== undefined)
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: 1, total: 2 },
            });
          return { content: [{ type: 'text', text: 'done' }] };
        });
        return server;
      },
    },
  });
});
afterAll(() => gateway?.close());

const notesReader = { 'x-test-principal': JSON.stringify({ sub: 'ann', scopes: ['scope:notes'] }) };

function v2Client(mode: 'auto' | { pin: string }, headers: Record<string, string> = notesReader) {
  const client = new Client({ name: 'v2-client', version: '1.0.0' }, { versionNegotiation: { mode } });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url), {
    fetch: gateway.fetch,
    requestInit: { headers },
  });
  return { client, transport };
}

/** A raw 2026-07-28 request, as the notes reader. */
const modern = (method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  modernRequest(gateway, method, params, { ...notesReader, ...headers });

describe('clients of 2026-07-28', () => {
  it('are served statelessly: a negotiating v2 client chooses the new era, lists and calls', async () => {
    const before = upstreamConnections;
    const { client, transport } = v2Client('auto');
    await client.connect(transport);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['notes__list', 'notes__slow']);
      const result = await client.callTool({ name: 'notes__list', arguments: {} });
      expect(result.structuredContent).toEqual({ notes: ['buy milk'] });
      // The same hooks as a session's calls, with the client as its envelope named it, and no session.
      expect(seen.at(-1)).toEqual({
        method: 'tools/call',
        sessionId: undefined,
        client: {
          info: { name: 'v2-client', version: '1.0.0' },
          capabilities: expect.any(Object),
          protocolVersion: MODERN,
        },
      });
      // No upstream session of its own: the upstream's shared one served it.
      expect(upstreamConnections).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('see what the permissions policy lets their principal see, and are refused the rest', async () => {
    const { client, transport } = v2Client({ pin: MODERN }, {});
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools).toEqual([]);
      await expect(client.callTool({ name: 'notes__list', arguments: {} })).rejects.toThrow(/Insufficient scope/);
    } finally {
      await client.close();
    }
  });

  it('get server/discover: the versions spoken, the capabilities, the servers behind, and caching hints', async () => {
    const response = await modern('server/discover');
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: Record<string, unknown> };
    expect(result).toMatchObject({
      resultType: 'complete',
      supportedVersions: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS],
      capabilities: { tools: { listChanged: true } },
      instructions: expect.stringContaining('notes'),
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mcp-gateway' } },
    });
  });

  it('get list results with their type, the server that answered and caching hints; calls without hints', async () => {
    const listed = (await (await modern('tools/list')).json()) as { result: Record<string, unknown> };
    expect(listed.result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    const called = (await (await modern('tools/call', { name: 'notes__list', arguments: {} })).json()) as {
      result: Record<string, unknown>;
    };
    expect(called.result).toMatchObject({
      resultType: 'complete',
      structuredContent: { notes: ['buy milk'] },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mcp-gateway' } },
    });
    expect(called.result).not.toHaveProperty('ttlMs');
  });

  it('get progress on the request’s own stream, then the result', async () => {
    const response = await modern('tools/call', { name: 'notes__slow', arguments: {}, _meta: { progressToken: 'p1' } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const messages = await messagesOf(response);
    expect(messages[0]).toMatchObject({
      method: 'notifications/progress',
      params: { progressToken: 'p1', progress: 1 },
    });
    expect(messages.at(-1)).toMatchObject({ id: 'r1', result: { resultType: 'complete' } });
  });

  it('accept a non-ASCII name in its base64 header form', async () => {
    const encoded = `=?base64?${Buffer.from('notes__list').toString('base64')}?=`;
    const response = await modern('tools/call', { name: 'notes__list', arguments: {} }, { 'mcp-name': encoded });
    expect(response.status).toBe(200);
  });

  it.each([
    ['MCP-Protocol-Version', { 'mcp-protocol-version': '2025-11-25' }],
    ['Mcp-Method', { 'mcp-method': 'tools/list' }],
    ['Mcp-Name', { 'mcp-name': 'notes__slow' }],
  ])('are refused with -32020 when %s disagrees with the body', async (_header, headers) => {
    const response = await modern('tools/call', { name: 'notes__list', arguments: {} }, headers);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 'r1', error: { code: -32020 } });
  });

  it('are refused methods the era removed (404, -32601), and GET or DELETE (405)', async () => {
    for (const method of ['ping', 'initialize']) {
      const removed = await modern(method);
      expect(removed.status).toBe(404);
      expect(await removed.json()).toMatchObject({ id: 'r1', error: { code: -32601 } });
    }
    for (const verb of ['GET', 'DELETE']) {
      const response = await gateway.request('/mcp', {
        method: verb,
        headers: { accept: 'text/event-stream', 'mcp-protocol-version': MODERN },
      });
      expect(response.status).toBe(405);
    }
  });

  it.each([
    ['no _meta', {}],
    ['no protocol version in _meta', { _meta: { 'io.modelcontextprotocol/clientCapabilities': {} } }],
  ])('are refused with -32602 and their id when the new era’s header comes with %s', async (_case, params) => {
    const response = await gateway.request('/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'server/discover',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'server/discover', params }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: 7, error: { code: -32602 } });
  });

  it('need the client capabilities in the envelope', async () => {
    const response = await modern('tools/list', {
      _meta: { 'io.modelcontextprotocol/clientCapabilities': undefined },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32602 } });
  });

  it('of a version the gateway does not speak are told which it does, with -32022', async () => {
    const { client, transport } = v2Client({ pin: '2099-01-01' });
    const refused = await client.connect(transport).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UnsupportedProtocolVersionError);
    expect((refused as UnsupportedProtocolVersionError).data).toMatchObject({
      supported: [MODERN, ...SUPPORTED_PROTOCOL_VERSIONS],
    });
  });
});

describe('subscriptions/listen', () => {
  let listening: TestGateway;
  const made: McpServer[] = [];
  const upstreamSubscriptions: string[] = [];
  const upstreamUnsubscriptions: string[] = [];

  beforeAll(async () => {
    listening = await startTestGateway({
      config: { auth: { permissions: { 'notes:*': ['scope:notes'] } } },
      plugins: ['./test/fixtures/plugins/claims-principal.ts'],
      servers: {
        notes: () => {
          const server = new McpServer(
            { name: 'notes', version: '1.0.0' },
            { capabilities: { tools: { listChanged: true }, resources: { subscribe: true } } },
          );
          server.registerTool('list', { description: 'Lists the notes' }, async () => ({ content: [] }));
          server.registerResource('note', 'notes://a', { mimeType: 'text/plain' }, async (uri) => ({
            contents: [{ uri: uri.href, text: 'buy milk' }],
          }));
          server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
            upstreamSubscriptions.push(request.params.uri);
            return {};
          });
          server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
            upstreamUnsubscriptions.push(request.params.uri);
            return {};
          });
          made.push(server);
          return server;
        },
      },
    });
  });

  async function listener(headers: Record<string, string>) {
    const client = new Client(
      { name: 'listener', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(listening.url), { fetch: listening.fetch, requestInit: { headers } }),
    );
    const told: unknown[] = [];
    const updated: unknown[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (notification) => void told.push(notification));
    client.setNotificationHandler('notifications/resources/updated', (notification) => void updated.push(notification));
    const subscription = await client.listen({
      toolsListChanged: true,
      resourceSubscriptions: ['notes://a', 'notes://missing'],
    });
    return { client, told, updated, subscription };
  }

  it('forgets a stream its client closed, and ends its upstream subscription', async () => {
    const closing = await listener(notesReader);
    expect(closing.subscription.honoredFilter.resourceSubscriptions).toEqual(['notes://a']);
    await closing.subscription.close();
    await vi.waitFor(() => expect(upstreamUnsubscriptions).toEqual(['notes://a']));
    await closing.client.close();
    upstreamSubscriptions.length = 0;
    upstreamUnsubscriptions.length = 0;
  });

  it('is acknowledged with what it honours, tells the changes its principal can see, and ends when the gateway stops', async () => {
    const reader = await listener(notesReader);
    const stranger = await listener({});
    // Resources: only one the principal sees, and that exists; the stranger sees none.
    expect(reader.subscription.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ['notes://a'] });
    expect(stranger.subscription.honoredFilter).toEqual({ toolsListChanged: true });
    expect(upstreamSubscriptions).toEqual(['notes://a']);
    for (const server of made) await server.server.sendResourceUpdated({ uri: 'notes://a' }).catch(() => {});
    await vi.waitFor(() => expect(reader.updated).toHaveLength(1));
    expect(reader.updated[0]).toMatchObject({
      params: { uri: 'notes://a', _meta: { 'io.modelcontextprotocol/subscriptionId': expect.anything() } },
    });
    expect(stranger.updated).toEqual([]);
    for (const server of made) server.registerTool('added', { description: 'New' }, async () => ({ content: [] }));
    await vi.waitFor(() => expect(reader.told).toHaveLength(1));
    expect(reader.told[0]).toMatchObject({
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': expect.anything() } },
    });
    expect((await reader.client.listTools()).tools.map((tool) => tool.name)).toContain('notes__added');
    // The stranger sees no tool of the server before or after: nothing to tell.
    expect(stranger.told).toEqual([]);
    await listening.close();
    expect(await reader.subscription.closed).toBe('graceful');
    // Its upstream subscription ended with the stream.
    expect(upstreamUnsubscriptions).toEqual(['notes://a']);
  });
});

describe('bad input in the new era', () => {
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const cases: [string, Record<string, unknown>, number, number][] = [
    [
      'a version that is not a string',
      {
        id: 1,
        method: 'tools/list',
        params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': 20260728 } },
      },
      400,
      -32602,
    ],
    [
      'a huge version, which the header does not repeat',
      {
        id: 1,
        method: 'tools/list',
        params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': 'x'.repeat(100_000) } },
      },
      400,
      -32020,
    ],
    [
      'capabilities that are not an object',
      {
        id: 1,
        method: 'tools/list',
        params: { _meta: { ...envelope, 'io.modelcontextprotocol/clientCapabilities': 'all' } },
      },
      400,
      -32602,
    ],
    [
      'client info that names nobody',
      { id: 1, method: 'tools/list', params: { _meta: { ...envelope, 'io.modelcontextprotocol/clientInfo': 'me' } } },
      400,
      -32602,
    ],
    ['an id that is an object', { id: { a: 1 }, method: 'tools/list', params: { _meta: envelope } }, 400, -32600],
    ['no method', { id: 1, params: { _meta: envelope } }, 400, -32600],
    ['an unknown method', { id: 1, method: 'tools/explode', params: { _meta: envelope } }, 404, -32601],
    [
      'params of the wrong type',
      { id: 1, method: 'tools/call', params: { _meta: envelope, name: 42, arguments: 'x' } },
      400,
      -32020,
    ],
  ];

  it.each(cases)('answers %s with a JSON-RPC error, never a 5xx', async (_case, message, status, code) => {
    const response = await gateway.request('/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': String(message.method),
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...message }),
    });
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code } });
    // Nothing the client sent is echoed at length.
    expect(text.length).toBeLessThan(2000);
  });
});

describe('clients of 2025', () => {
  it('open sessions and are served as before', async () => {
    const client = await gateway.connect({ headers: notesReader });
    expect((await client.callTool({ name: 'notes__list', arguments: {} })).structuredContent).toEqual({
      notes: ['buy milk'],
    });
    expect(seen.at(-1)?.sessionId).toEqual(expect.any(String));
  });

  it('still need a session for anything but initialize', async () => {
    const response = await gateway.request('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32000 } });
  });
});
