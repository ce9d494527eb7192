/**
 * Requests on an established session that the gateway answers itself, without the SDK transport
 * (core/engine/mcp/direct.ts): plain JSON when nothing streams, an event stream the moment something
 * must reach the client first, the client's answers and cancellations routed back, and the SDK
 * still in charge of whatever the fast path does not take. In-process, with a real upstream process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../core/engine/gateway.ts';
import { mcpHeaders, messagesOf, openSession, startInProcess } from '../helpers/in-process.ts';
import { startFixtureHttp, type FixtureHttp } from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

let upstream: FixtureHttp;
let gateway: Gateway;
let session: string;

beforeAll(async () => {
  // Over Streamable HTTP, an upstream's requests during a call come on that call's own stream, and
  // each client has its own upstream session (which knows whether the client can sample).
  upstream = await startFixtureHttp('fx');
  gateway = await startInProcess({ proxy: { servers: [httpUpstream('fx', upstream.url)] } });
  session = await openSession(gateway.app);
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const post = (body: unknown, sessionId = session, headers: Record<string, string> = {}) =>
  gateway.app.request('/mcp', { method: 'POST', headers: mcpHeaders(sessionId, headers), body: JSON.stringify(body) });

const call = (id: number | string, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>) =>
  post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta && { _meta: meta }) } });

/** Reads an event stream one message at a time, so that a test can answer what it asks. */
function eventReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  return async function next(): Promise<{ id?: string; message: Record<string, unknown> }> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.+)$/m.exec(event)?.[1];
        if (data) return { id: /^id: (.+)$/m.exec(event)?.[1], message: JSON.parse(data) as Record<string, unknown> };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
    }
  };
}

describe('the fast path', () => {
  it('answers a request with one JSON body when nothing streams, keeping every field of the result', async () => {
    const response = await call('a-1', 'fx__rich');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe(session);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 'a-1',
      result: expect.objectContaining({ _meta: { 'fixture/result': { ok: true } }, extraField: 'kept' }),
    });
  });

  it('answers a failing request with its JSON-RPC error in the same way', async () => {
    const response = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'nope__missing' } });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32602, message: expect.stringContaining('Unknown tool') },
    });
  });

  it('turns the answer into an event stream when progress comes first, with ids and the caller’s token', async () => {
    const response = await call(4, 'fx__slow', { ms: 100 }, { progressToken: 'mine' });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const next = eventReader(response);
    const first = await next();
    expect(first.id).toMatch(/^[0-9a-f]+-\d+$/);
    expect(first.message).toMatchObject({
      method: 'notifications/progress',
      params: { progressToken: 'mine', progress: 1, total: 2 },
    });
    expect((await next()).message).toMatchObject({
      method: 'notifications/progress',
      params: { progressToken: 'mine', progress: 2 },
    });
    expect((await next()).message).toMatchObject({ id: 4, result: { content: [{ type: 'text', text: 'slept 100' }] } });
  });

  it('relays a sampling request on the stream and takes the client’s POSTed answer back to the upstream', async () => {
    const sampling = await openSession(gateway.app, {}, { sampling: {} });
    const response = await post(
      { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'fx__sample', arguments: { prompt: 'hi' } } },
      sampling,
    );
    const next = eventReader(response);
    const { message: asked } = await next();
    expect(asked).toMatchObject({
      jsonrpc: '2.0',
      id: expect.stringMatching(/^mcp-gateway-\d+$/),
      method: 'sampling/createMessage',
    });
    const answer = { role: 'assistant', content: { type: 'text', text: 'hello back' }, model: 'test-model' };
    expect((await post({ jsonrpc: '2.0', id: asked.id, result: answer }, sampling)).status).toBe(202);
    expect((await next()).message).toMatchObject({
      id: 5,
      result: { content: [{ type: 'text', text: 'sampled: hello back' }] },
    });
  });

  it('cancels a request when the client sends notifications/cancelled, and the upstream hears it', async () => {
    const before = await stats();
    const response = await call(6, 'fx__slow', { ms: 4000 }, { progressToken: 'p6' });
    const next = eventReader(response);
    // The first progress comes half-way: the upstream is at work on the call when it is cancelled.
    expect((await next()).message).toMatchObject({
      method: 'notifications/progress',
      params: { progressToken: 'p6', progress: 1 },
    });
    const cancelled = await post({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 6, reason: 'changed my mind' },
    });
    expect(cancelled.status).toBe(202);
    expect((await next()).message).toMatchObject({ id: 6, error: expect.anything() });
    await expect.poll(async () => (await stats()).cancelled, { timeout: 5000 }).toBe(before.cancelled + 1);
  });

  it('leaves to the SDK what it does not take: bad headers, ping, unknown answers', async () => {
    expect(
      (await post({ jsonrpc: '2.0', id: 8, method: 'tools/list' }, session, { accept: 'application/json' })).status,
    ).toBe(406);
    expect(
      (await post({ jsonrpc: '2.0', id: 8, method: 'tools/list' }, session, { 'mcp-protocol-version': '1999-01-01' }))
        .status,
    ).toBe(400);
    const ping = await post({ jsonrpc: '2.0', id: 9, method: 'ping' });
    expect((await messagesOf(ping))[0]).toMatchObject({ id: 9, result: {} });
    expect((await post({ jsonrpc: '2.0', id: 'mcp-gateway-999999', result: {} })).status).toBe(202);
  });
});

async function stats(): Promise<{ cancelled: number }> {
  const [message] = await messagesOf(await call(99, 'fx__stats'));
  const { result } = message as { result: { content: { text: string }[] } };
  return JSON.parse(result.content[0]!.text.replace(/^fx: /, '')) as { cancelled: number };
}
