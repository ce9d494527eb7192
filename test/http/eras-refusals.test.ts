/**
 * What a 2026-07-28 caller gets when the gateway or an upstream says no, or says something odd:
 * a step-up challenge as in a session (one `insufficient_scope` challenge naming every scope the
 * request needs, decided on the body whatever the headers say), and upstream results the new era
 * cannot take (an unknown `resultType`, a malformed result) answered without a crash.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type InProcessServer, startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpHeaders, messagesOf, openSession } from '../helpers/in-process.ts';
import { headersFor, modernBody, rpcError, sane } from '../helpers/modern-probe.ts';

/** What the odd upstream's tools answer, by name: results no SDK server would send. */
const oddAnswers: Record<string, unknown> = {
  unknown_type: { resultType: 'weird', content: [] },
  bare_input_required: { resultType: 'input_required' },
  content_not_a_list: { content: 'not a list' },
  null_result: null,
  string_result: 'done',
  list_result: [{ type: 'text', text: 'a' }],
};

/** An upstream that answers with raw JSON-RPC, so that nothing validates its results on the way. */
function rawServer(): InProcessServer {
  let link: Transport | undefined;
  const answer = (message: JSONRPCMessage): unknown => {
    if (!('id' in message) || !('method' in message)) return undefined;
    const { id, method, params } = message;
    if (method === 'initialize')
      return {
        id,
        result: {
          protocolVersion: '2025-11-25',
          capabilities: { tools: {} },
          serverInfo: { name: 'odd', version: '1' },
        },
      };
    if (method === 'tools/list')
      return {
        id,
        result: { tools: Object.keys(oddAnswers).map((name) => ({ name, inputSchema: { type: 'object' } })) },
      };
    if (method === 'tools/call') return { id, result: oddAnswers[(params as { name: string }).name] };
    return { id, error: { code: -32601, message: 'Method not found' } };
  };
  return {
    async connect(transport) {
      link = transport;
      transport.onmessage = (message) => {
        const reply = answer(message);
        if (reply) void transport.send({ jsonrpc: '2.0', ...(reply as object) } as JSONRPCMessage);
      };
      await transport.start();
    },
    close: async () => link?.close(),
  };
}

let gateway: TestGateway;
const resourceMetadata = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

beforeAll(async () => {
  gateway = await startTestGateway({
    config: {
      server: { url: 'https://mcp.example.com' },
      auth: {
        permissions: { 'notes:list': ['scope:notes'], 'notes:purge': ['scope:notes', 'scope:admin'], 'odd:*': [] },
        options: { scope_mode: 'all' },
      },
    },
    plugins: ['./test/fixtures/plugins/claims-principal.ts'],
    servers: {
      notes: () => {
        const server = new McpServer({ name: 'notes', version: '1.0.0' });
        for (const name of ['list', 'purge'])
          server.registerTool(name, { description: name }, async () => ({ content: [{ type: 'text', text: name }] }));
        return server;
      },
      odd: rawServer,
    },
  });
});
afterAll(() => gateway?.close());

const noteTaker = { 'x-test-principal': JSON.stringify({ sub: 'ann', scopes: ['scope:notes'] }) };

function modernCall(name: string, headers: Record<string, string | undefined> = {}) {
  const body = modernBody('tools/call', { name, arguments: {} }, 7);
  return gateway.request('/mcp', {
    method: 'POST',
    headers: { ...headersFor(body, headers), ...noteTaker },
    body: JSON.stringify(body),
  });
}

describe('a call whose principal lacks a scope', () => {
  it('gets one insufficient_scope challenge naming every scope it needs, as a session does', async () => {
    const modern = await modernCall('notes__purge');
    const sessionId = await openSession(gateway, noteTaker);
    const legacy = await gateway.request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(sessionId, noteTaker),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'notes__purge', arguments: {} },
      }),
    });
    const challenge = `Bearer error="insufficient_scope", scope="scope:notes scope:admin", resource_metadata="${resourceMetadata}"`;
    for (const response of [modern, legacy]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
    }
    expect(await modern.json()).toEqual(await legacy.json());
  });

  it('is decided on the body: a header naming an allowed tool does not open a forbidden one', async () => {
    const forbidden = await modernCall('notes__purge', { 'mcp-name': 'notes__list' });
    expect(forbidden.status).toBe(403);
    // The other way round the headers are refused as not matching, and nothing runs.
    const mismatched = await modernCall('notes__list', { 'mcp-name': 'notes__purge' });
    expect(mismatched.status).toBe(400);
    rpcError(await mismatched.text(), 'mismatched', -32020);
  });
});

describe('an upstream result the new era cannot take', () => {
  it.each(Object.keys(oddAnswers))('(%s) is passed on as it is or refused, and the gateway goes on', async (name) => {
    const response = await modernCall(`odd__${name}`);
    const [message] = await messagesOf(new Response(await sane(response, name), { headers: response.headers }));
    const sent = oddAnswers[name];
    const isObject = typeof sent === 'object' && sent !== null && !Array.isArray(sent);
    // An object is passed on with all it holds, but for the result type: complete, since it asks
    // nothing a retry could answer. Anything else is no result, and is refused.
    if (isObject && 'result' in message!)
      expect(message.result).toMatchObject({ ...(sent as object), resultType: 'complete' });
    else expect(message).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32603 } });
    const after = await modernCall('notes__list');
    expect(((await after.json()) as { result?: unknown }).result).toMatchObject({ resultType: 'complete' });
  });
});
