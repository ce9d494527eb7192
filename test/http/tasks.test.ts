/**
 * The tasks extension (`io.modelcontextprotocol/tasks`) through the gateway: a 2026-07-28 upstream
 * answers a call with a task, and the client gets an id of the gateway's own for it, signed and
 * bound to its principal; `tasks/get` and `tasks/cancel` with that id reach the upstream with the
 * upstream's own id, only for the principal that made the task and while it may use the tool.
 * The upstream is a real HTTP server that speaks the new era by hand (the SDK has no tasks yet).
 */
import { type ServerType, serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';

const MODERN = '2026-07-28';
const TASKS = 'io.modelcontextprotocol/tasks';
let upstream: ServerType;
let gateway: TestGateway;
/** What the upstream was asked, with the task id and `Mcp-Name` header it got. */
const asked: { method: string; taskId?: unknown; name?: string }[] = [];
let made = 0;

const answer = (method: string, params: Record<string, unknown>): Record<string, unknown> => {
  const task = {
    status: 'working',
    createdAt: new Date().toISOString(),
    lastUpdatedAt: new Date().toISOString(),
    ttlMs: 60_000,
  };
  switch (method) {
    case 'server/discover':
      return { supportedVersions: [MODERN], capabilities: { tools: {}, extensions: { [TASKS]: {} } } };
    case 'tools/list':
      return { tools: [{ name: 'render', description: 'Renders, slowly', inputSchema: { type: 'object' } }] };
    case 'tools/call':
      return { ...task, resultType: 'task', taskId: `task-${++made}`, pollIntervalMs: 10 };
    case 'tasks/get':
      return {
        ...task,
        taskId: params.taskId,
        status: 'completed',
        result: { content: [{ type: 'text', text: `rendered ${params.taskId}` }] },
      };
    default:
      return {};
  }
};

const config = (scope: string) => ({
  auth: { permissions: { 'render:*': [scope] } },
  proxy: {
    servers: [{ name: 'render', type: 'streamable-http', protocol: MODERN, connection: { url: upstreamUrl() } }],
  },
});
const upstreamUrl = () => `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`;

beforeAll(async () => {
  upstream = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      const { id, method, params } = (await request.json()) as {
        id: string;
        method: string;
        params: Record<string, unknown>;
      };
      asked.push({ method, taskId: params.taskId, name: request.headers.get('mcp-name') ?? undefined });
      const result = {
        resultType: 'complete',
        ...answer(method, params),
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'render', version: '1' } },
      };
      return Response.json({ jsonrpc: '2.0', id, result });
    },
  });
  await new Promise((resolve) => upstream.once('listening', resolve));
  gateway = await startTestGateway({
    config: config('scope:render'),
    plugins: ['./test/fixtures/plugins/claims-principal.ts'],
  });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

const as = (sub: string) => ({ 'x-test-principal': JSON.stringify({ sub, scopes: ['scope:render'] }) });

async function send(method: string, params: Record<string, unknown>, who = 'ann') {
  const response = await modernRequest(gateway, method, params, as(who), { extensions: { [TASKS]: {} } });
  const [message] = await messagesOf(response);
  return message as { result?: Record<string, unknown>; error?: { code: number; message: string } };
}

describe('a task a 2026-07-28 upstream makes', () => {
  it('is announced in server/discover, and given to the client under an id of the gateway’s', async () => {
    expect((await send('server/discover', {})).result?.capabilities).toMatchObject({ extensions: { [TASKS]: {} } });
    const { result } = await send('tools/call', { name: 'render__render', arguments: {} });
    expect(result).toMatchObject({ resultType: 'task', status: 'working', ttlMs: 60_000 });
    expect(result!.taskId).toMatch(/^v1\./);
    expect(result!.taskId).not.toContain('task-');
  });

  it('is polled and cancelled with that id, which the upstream gets as its own', async () => {
    const taskId = (await send('tools/call', { name: 'render__render', arguments: {} })).result!.taskId;
    const upstreamId = `task-${made}`;
    const polled = await send('tasks/get', { taskId });
    expect(polled.result).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'completed',
      result: { content: [{ type: 'text', text: `rendered ${upstreamId}` }] },
    });
    expect((await send('tasks/cancel', { taskId })).result).toMatchObject({ resultType: 'complete' });
    expect(asked.slice(-2)).toEqual([
      { method: 'tasks/get', taskId: upstreamId, name: upstreamId },
      { method: 'tasks/cancel', taskId: upstreamId, name: upstreamId },
    ]);
  });

  it('is no one else’s: another principal’s, an altered or a made-up id is refused before the upstream', async () => {
    const taskId = String((await send('tools/call', { name: 'render__render', arguments: {} })).result!.taskId);
    const before = asked.length;
    expect((await send('tasks/get', { taskId }, 'bob')).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('another caller'),
    });
    expect((await send('tasks/get', { taskId: `${taskId}x` })).error?.code).toBe(-32602);
    expect((await send('tasks/get', { taskId: 'task-1' })).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('taskId'),
    });
    expect(asked.length).toBe(before);
  });

  it('is out of reach once its principal may no longer use the tool that made it', async () => {
    const taskId = (await send('tools/call', { name: 'render__render', arguments: {} })).result!.taskId;
    await gateway.reload(config('scope:admin'));
    try {
      const before = asked.length;
      expect((await send('tasks/get', { taskId })).error).toMatchObject({
        code: -32003,
        message: expect.stringContaining('render__render'),
      });
      expect(asked.length).toBe(before);
    } finally {
      await gateway.reload(config('scope:render'));
    }
  });
});
