/**
 * Multi-round-trip requests for 2026-07-28 clients of 2025-era upstreams: an upstream that asks the
 * client something during a call (elicitation, sampling, roots) makes the gateway answer the call
 * with `input_required`, hold the upstream call, and continue it with the answers of the client's
 * retry. The `requestState` is the gateway's own, signed and bound to the caller and the call:
 * altered, replayed, foreign or late states are refused, and every round runs the plugins' chain
 * (permissions included) again.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';

const permissions = { 'desk:*': ['scope:desk'] };
const config = (input_timeout = '5m') => ({ auth: { permissions }, stateless: { input_timeout } });
let gateway: TestGateway;
/** Each upstream call's end, as the upstream's tool saw it. */
const ended: string[] = [];
const rounds: string[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({
    config: config(),
    plugins: [
      './test/fixtures/plugins/claims-principal.ts',
      {
        plugin: {
          name: 'counts-rounds',
          version: '1.0.0',
          setup: () => ({
            async onCallTool(call, next) {
              rounds.push(call.tool);
              return next();
            },
          }),
        },
      },
    ],
    servers: {
      desk: deskServer,
    },
  });
});
afterAll(() => gateway?.close());

/** An upstream whose tools ask their client for input. */
function deskServer() {
  const server = new McpServer({ name: 'desk', version: '1.0.0' });
  const ask = (message: string) =>
    server.server.elicitInput({
      message,
      requestedSchema: { type: 'object', properties: { answer: { type: 'string' } } },
    });
  server.registerTool('book', { description: 'Books a room after asking which' }, async () => {
    const room = await ask('Which room?');
    const day = await ask('Which day?');
    ended.push('book');
    return { content: [{ type: 'text', text: `booked ${room.content?.answer} on ${day.content?.answer}` }] };
  });
  server.registerTool('draft', { description: 'Asks a model and the roots at once' }, async () => {
    const [sample, roots] = await Promise.all([
      server.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: 'a title?' } }],
        maxTokens: 10,
      }),
      server.server.listRoots(),
    ]);
    const title = sample.content.type === 'text' ? sample.content.text : '';
    return { content: [{ type: 'text', text: `${title} in ${roots.roots[0]?.uri}` }] };
  });
  server.registerTool(
    'wait',
    { description: 'Asks, then waits on the answer', inputSchema: { tag: z.string() } },
    async ({ tag }, extra) => {
      extra.signal.addEventListener('abort', () => ended.push(`${tag} cancelled`));
      await ask('Go on?');
      ended.push(`${tag} done`);
      return { content: [{ type: 'text', text: 'went on' }] };
    },
  );
  return server;
}

const asAnn = { 'x-test-principal': JSON.stringify({ sub: 'ann', scopes: ['scope:desk'] }) };
const asBob = { 'x-test-principal': JSON.stringify({ sub: 'bob', scopes: ['scope:desk'] }) };
const elicits = { elicitation: { form: {} } };

/** A raw call, as a client that declares elicitation; its JSON-RPC answer. */
async function call(
  name: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = asAnn,
  to = gateway,
) {
  const response = await modernRequest(to, 'tools/call', { name, arguments: {}, ...extra }, headers, elicits);
  const [message] = await messagesOf(response);
  return message as { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

describe('a 2026-07-28 client whose call is asked for input by a 2025 upstream', () => {
  it('answers in rounds with the SDK v2 client, which fulfils them itself', async () => {
    const client = new Client(
      { name: 'v2-client', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } },
    );
    const questions: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      questions.push(String(request.params.message));
      return { action: 'accept', content: { answer: questions.length === 1 ? 'Blue' : 'Friday' } };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(gateway.url), {
        fetch: gateway.fetch,
        requestInit: { headers: asAnn },
      }),
    );
    try {
      const before = rounds.length;
      const result = await client.callTool({ name: 'desk__book', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'booked Blue on Friday' }]);
      expect(questions).toEqual(['Which room?', 'Which day?']);
      // One operation per round, each through the plugins' chain.
      expect(rounds.slice(before)).toEqual(['book', 'book', 'book']);
    } finally {
      await client.close();
    }
  });

  it('is asked everything the upstream asks at once, under distinct keys, and answers them in one retry', async () => {
    const capabilities = { sampling: {}, roots: {} };
    const ask = (extra: Record<string, unknown>) =>
      modernRequest(gateway, 'tools/call', { name: 'desk__draft', arguments: {}, ...extra }, asAnn, capabilities)
        .then(messagesOf)
        .then(([message]) => message as { result: Record<string, unknown> });
    const first = (await ask({})).result;
    expect(first.resultType).toBe('input_required');
    const requests = first.inputRequests as Record<string, { method: string }>;
    const byMethod = Object.fromEntries(Object.entries(requests).map(([key, request]) => [request.method, key]));
    expect(Object.keys(byMethod).sort()).toEqual(['roots/list', 'sampling/createMessage']);
    const answers = {
      [byMethod['sampling/createMessage']!]: {
        role: 'assistant',
        content: { type: 'text', text: 'Plans' },
        model: 'm',
      },
      [byMethod['roots/list']!]: { roots: [{ uri: 'file:///work' }] },
    };
    const done = (await ask({ inputResponses: answers, requestState: first.requestState })).result;
    expect(done).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'Plans in file:///work' }] });
  });

  it('refuses an altered state, a state replayed by another principal, and one already continued', async () => {
    const first = (await call('desk__book')).result!;
    const state = String(first.requestState);
    const key = Object.keys(first.inputRequests as object)[0]!;
    const answer = { [key]: { action: 'accept', content: { answer: 'Red' } } };

    const [version, body, mac] = state.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { p: { n: number } };
    payload.p.n += 1;
    const altered = `${version}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    expect((await call('desk__book', { inputResponses: answer, requestState: altered })).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('integrity'),
    });
    expect((await call('desk__book', { inputResponses: answer, requestState: state }, asBob)).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('another caller'),
    });
    // Bound to the tool too: the same state on another tool is refused.
    expect((await call('desk__draft', { inputResponses: answer, requestState: state })).error?.code).toBe(-32602);

    const second = (await call('desk__book', { inputResponses: answer, requestState: state })).result!;
    expect(second.resultType).toBe('input_required');
    expect((await call('desk__book', { inputResponses: answer, requestState: state })).error?.message).toContain(
      'no longer current',
    );
    const dayKey = Object.keys(second.inputRequests as object)[0]!;
    const last = await call('desk__book', {
      inputResponses: { [dayKey]: { action: 'accept', content: { answer: 'Monday' } } },
      requestState: second.requestState,
    });
    expect(last.result?.content).toEqual([{ type: 'text', text: 'booked Red on Monday' }]);
  });

  it('refuses a garbled state or answers of the wrong shape with a clear error', async () => {
    for (const requestState of ['garbage', 'v1..', 42, 'x'.repeat(100_000)]) {
      const { error } = await call('desk__book', { inputResponses: {}, requestState });
      expect(error?.code).toBe(-32602);
      expect(error!.message.length).toBeLessThan(200);
    }
    const first = (await call('desk__book')).result!;
    const { error } = await call('desk__book', { inputResponses: 'yes', requestState: first.requestState });
    expect(error).toMatchObject({ code: -32602, message: expect.stringContaining('inputResponses') });
  });

  it('checks permissions again on every round', async () => {
    const first = (await call('desk__wait', { arguments: { tag: 'revoked' } })).result!;
    await gateway.reload({ ...config(), auth: { permissions: { 'desk:*': ['scope:admin'] } } });
    try {
      const retry = await call('desk__wait', {
        arguments: { tag: 'revoked' },
        inputResponses: { [Object.keys(first.inputRequests as object)[0]!]: { action: 'accept', content: {} } },
        requestState: first.requestState,
      });
      expect(retry.error?.message).toMatch(/Forbidden: tool "desk__wait" requires/);
    } finally {
      await gateway.reload(config());
    }
  });

  it('cancels the held upstream call when the client does not come back in time', async () => {
    const hurried = await startTestGateway({
      config: { stateless: { input_timeout: '100ms' } },
      servers: { desk: deskServer },
    });
    try {
      const first = (await call('desk__wait', { arguments: { tag: 'late' } }, {}, hurried)).result!;
      await expect.poll(() => ended).toContain('late cancelled');
      const retry = await call(
        'desk__wait',
        {
          arguments: { tag: 'late' },
          inputResponses: { [Object.keys(first.inputRequests as object)[0]!]: { action: 'accept', content: {} } },
          requestState: first.requestState,
        },
        {},
        hurried,
      );
      expect(retry.error).toMatchObject({ code: -32602, message: expect.stringContaining('expired') });
      expect(ended).not.toContain('late done');
    } finally {
      await hurried.close();
    }
  });

  it('without the capability a request needs, is never asked: the upstream is told the client cannot answer', async () => {
    const response = await modernRequest(gateway, 'tools/call', { name: 'desk__book', arguments: {} }, asAnn, {});
    const [message] = (await messagesOf(response)) as { result?: Record<string, unknown>; error?: unknown }[];
    expect(message!.result?.resultType).not.toBe('input_required');
  });
});
