/**
 * The /mcp endpoint's HTTP rules (Streamable HTTP, MCP 2025-11-25), driven in-process with
 * `app.request()`: verbs, headers, sessions, Origin, body size, malformed input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../core/engine/gateway.ts';
import { initializeBody, mcpHeaders, messagesOf, openSession, rpc, startInProcess } from '../helpers/in-process.ts';
import { headerPrincipalPlugin } from '../helpers/servers.ts';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startInProcess(
    { server: { max_body_size: '2kb' }, sessions: { max: 100 } },
    { plugins: [headerPrincipalPlugin] },
  );
});
afterAll(() => gateway.stop());

const post = (body: unknown, headers: Record<string, string>) =>
  gateway.app.request('/mcp', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: number; message: string } }).error;

describe('POST /mcp', () => {
  it('opens a session on initialize and returns its id, the negotiated version and instructions', async () => {
    const response = await post(initializeBody(), mcpHeaders());
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const [message] = await messagesOf(response);
    expect(message).toMatchObject({
      id: 1,
      result: {
        protocolVersion: '2025-11-25',
        serverInfo: { name: 'mcp-gateway' },
        instructions: expect.stringContaining('no upstream servers'),
      },
    });
    // With no upstreams, the gateway offers its (empty) tool list and nothing else.
    expect((message!.result as { capabilities: unknown }).capabilities).toEqual({ tools: { listChanged: true } });
  });

  it('refuses a client that does not accept both JSON and event streams (406)', async () => {
    const response = await post(initializeBody(), { ...mcpHeaders(), accept: 'application/json' });
    expect(response.status).toBe(406);
  });

  it('refuses a body that is not JSON (415 for the content type, 400 / -32700 for the text)', async () => {
    expect((await post(initializeBody(), { ...mcpHeaders(), 'content-type': 'text/plain' })).status).toBe(415);
    const malformed = await post('{"jsonrpc": "2.0", "id": 1, "method": ', mcpHeaders());
    expect(malformed.status).toBe(400);
    expect(await errorOf(malformed)).toMatchObject({ code: -32700 });
  });

  it('refuses a body over server.max_body_size (413) and loses nothing else', async () => {
    const big = { ...initializeBody(), params: { ...initializeBody().params, padding: 'x'.repeat(4096) } };
    expect((await post(big, mcpHeaders())).status).toBe(413);
    expect((await post(initializeBody(), mcpHeaders())).status).toBe(200);
  });

  it('asks for a session id on anything but initialize (400) and does not know made-up ones (404)', async () => {
    const noSession = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, mcpHeaders());
    expect(noSession.status).toBe(400);
    const unknown = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, mcpHeaders('no-such-session'));
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ code: -32001 });
  });

  it('refuses an unsupported MCP-Protocol-Version header (400)', async () => {
    const id = await openSession(gateway.app);
    const response = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { ...mcpHeaders(id), 'mcp-protocol-version': '1999-01-01' },
    );
    expect(response.status).toBe(400);
  });

  it('answers ping, lists, and an unknown method with -32601', async () => {
    const id = await openSession(gateway.app);
    expect((await rpc(gateway.app, id, 'ping')).message).toMatchObject({ result: {} });
    expect((await rpc(gateway.app, id, 'tools/list')).message).toMatchObject({ result: { tools: [] } });
    expect((await rpc(gateway.app, id, 'no/such/method')).message).toMatchObject({ error: { code: -32601 } });
    expect((await rpc(gateway.app, id, 'tools/call', { name: 'x__y' })).message).toMatchObject({
      error: { code: -32602, message: 'Unknown tool: x__y' },
    });
  });
});

describe('sessions', () => {
  it('ends a session on DELETE; its id is then unknown', async () => {
    const id = await openSession(gateway.app);
    const deleted = await gateway.app.request('/mcp', { method: 'DELETE', headers: mcpHeaders(id) });
    expect(deleted.status).toBe(200);
    expect((await rpc(gateway.app, id, 'ping')).status).toBe(404);
  });

  it('opens the server-to-client stream on GET with a session, and asks for one without', async () => {
    expect(
      (await gateway.app.request('/mcp', { method: 'GET', headers: { accept: 'text/event-stream' } })).status,
    ).toBe(400);
    const id = await openSession(gateway.app);
    const stream = await gateway.app.request('/mcp', {
      method: 'GET',
      headers: { ...mcpHeaders(id), accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    await stream.body?.cancel();
  });

  it('keeps a session to the principal that opened it', async () => {
    const id = await openSession(gateway.app, { 'x-test-user': 'alice' });
    expect((await rpc(gateway.app, id, 'ping', undefined, { 'x-test-user': 'alice' })).status).toBe(200);
    expect((await rpc(gateway.app, id, 'ping', undefined, { 'x-test-user': 'mallory' })).status).toBe(404);
    expect((await rpc(gateway.app, id, 'ping')).status).toBe(404);
  });

  it('refuses new sessions past sessions.max with 503, and accepts them again once one ends', async () => {
    const fresh = await startInProcess({ sessions: { max: 1 } });
    try {
      const first = await openSession(fresh.app);
      const refused = await fresh.app.request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify(initializeBody()),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      await fresh.app.request('/mcp', { method: 'DELETE', headers: mcpHeaders(first) });
      expect(await openSession(fresh.app)).toBeTruthy();
    } finally {
      await fresh.stop();
    }
  });

  it('closes a session after sessions.idle_ttl without use', async () => {
    const fresh = await startInProcess({ sessions: { idle_ttl: '300ms' } });
    try {
      const id = await openSession(fresh.app);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await rpc(fresh.app, id, 'ping')).status).toBe(404);
    } finally {
      await fresh.stop();
    }
  });
});

describe('verbs and origins', () => {
  it('answers other verbs with 405 and the allowed ones', async () => {
    const response = await gateway.app.request('/mcp', { method: 'PUT', headers: mcpHeaders() });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('refuses a browser Origin that is not allowed (403) and accepts loopback and no Origin', async () => {
    expect((await post(initializeBody(), mcpHeaders(undefined, { origin: 'https://evil.example' }))).status).toBe(403);
    expect((await post(initializeBody(), mcpHeaders(undefined, { origin: 'http://localhost:6274' }))).status).toBe(200);
    expect((await post(initializeBody(), mcpHeaders(undefined, { origin: 'http://127.0.0.1' }))).status).toBe(200);
  });

  it('uses server.allowed_origins instead of the defaults when given', async () => {
    const fresh = await startInProcess({ server: { allowed_origins: ['https://*.example.com'] } });
    try {
      const send = (origin: string) =>
        fresh.app.request('/mcp', {
          method: 'POST',
          headers: mcpHeaders(undefined, { origin }),
          body: JSON.stringify(initializeBody()),
        });
      expect((await send('https://app.example.com')).status).toBe(200);
      expect((await send('http://localhost:3000')).status).toBe(403);
      expect((await send('https://example.com.evil.net')).status).toBe(403);
    } finally {
      await fresh.stop();
    }
  });
});
