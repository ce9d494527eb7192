/**
 * The gateway started by its CLI in front of real upstreams: a Streamable HTTP server on a
 * loopback port, a stdio child, and one that is down at boot; driven by the SDK's own client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import {
  fixtureStdioCommand,
  startFixtureHttp,
  startGateway,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';

let alpha: FixtureHttp;
let gateway: RunningGateway;
let client: Client;
let direct: Client;

beforeAll(async () => {
  alpha = await startFixtureHttp('alpha');
  gateway = await startGateway({
    config: {
      proxy: {
        servers: [
          { name: 'alpha', type: 'streamable-http', connection: { url: alpha.url } },
          { name: 'beta', type: 'stdio', connection: { ...fixtureStdioCommand, env: { FIXTURE_NAME: 'beta' } } },
          { name: 'gamma', type: 'streamable-http', connection: { url: 'http://127.0.0.1:9/mcp', timeout: '2s' } },
        ],
      },
    },
  });
  client = await connectClient(gateway.mcpUrl, { headers: { 'x-request-id': 'e2e-correlation-1' } });
  direct = await connectClient(alpha.url);
});

afterAll(async () => {
  await client?.close();
  await direct?.close();
  await gateway?.stop();
  await alpha?.stop();
});

describe('aggregation', () => {
  it('lists the tools of every connected upstream, namespaced with the default separator', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const tool of ['echo', 'add', 'fail', 'rich', 'slow', 'headers']) {
      expect(names).toContain(`alpha__${tool}`);
      expect(names).toContain(`beta__${tool}`);
    }
    expect(names.some((n) => n.startsWith('gamma'))).toBe(false);
  });

  it('keeps every field of a tool definition but its name', async () => {
    const [viaGateway, viaDirect] = await Promise.all([client.listTools(), direct.listTools()]);
    const add = viaGateway.tools.find((t) => t.name === 'alpha__add');
    expect({ ...add, name: 'add' }).toEqual(viaDirect.tools.find((t) => t.name === 'add'));
  });

  it('lists, gets and reads prompts and resources of every upstream', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['alpha__greet', 'beta__greet']);
    const prompt = await client.getPrompt({ name: 'beta__greet', arguments: { who: 'Ada' } });
    expect(prompt.messages[0]!.content).toEqual({ type: 'text', text: 'Hello Ada from beta' });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['alpha://readme', 'beta://readme']);
    const read = await client.readResource({ uri: 'beta://items/42' });
    expect(read.contents[0]).toMatchObject({ uri: 'beta://items/42', text: 'content of beta://items/42 from beta' });
  });
});

describe('tools/call', () => {
  it('routes to the upstream that owns the name and strips the prefix', async () => {
    const a = await client.callTool({ name: 'alpha__echo', arguments: { text: 'hi' } });
    const b = await client.callTool({ name: 'beta__echo', arguments: { text: 'hi' } });
    expect(a.content).toEqual([{ type: 'text', text: 'alpha: hi' }]);
    expect(b.content).toEqual([{ type: 'text', text: 'beta: hi' }]);
  });

  it('passes results through untouched: structuredContent, isError, _meta, annotations, unknown fields', async () => {
    for (const [tool, args] of [
      ['add', { a: 2, b: 3 }],
      ['fail', {}],
      ['rich', {}],
    ] as const) {
      const viaGateway = await client.callTool({ name: `alpha__${tool}`, arguments: args });
      const viaDirect = await direct.callTool({ name: tool, arguments: args });
      expect(viaGateway).toEqual(viaDirect);
    }
    const rich = await client.callTool({ name: 'alpha__rich', arguments: {} });
    expect(rich).toMatchObject({ extraField: 'kept', _meta: { 'fixture/result': { ok: true } } });
    expect((await client.callTool({ name: 'alpha__add', arguments: { a: 2, b: 3 } })).structuredContent).toEqual({
      sum: 5,
    });
    expect((await client.callTool({ name: 'beta__fail', arguments: {} })).isError).toBe(true);
  });

  it('answers an unknown tool with a JSON-RPC error naming it', async () => {
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('nope'),
    });
    await expect(client.callTool({ name: 'alpha__nope', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('server "alpha" has no tool "nope"'),
    });
  });

  it('names the server when a tool belongs to an upstream that is down', async () => {
    await expect(client.callTool({ name: 'gamma__echo', arguments: { text: 'x' } })).rejects.toMatchObject({
      message: expect.stringContaining('upstream server "gamma" is down'),
    });
  });

  it("relays progress notifications with the caller's own progress token", async () => {
    const progress: number[] = [];
    const result = await client.callTool({ name: 'beta__slow', arguments: { ms: 100 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'slept 100' }]);
    expect(progress).toEqual([1, 2]);
  });

  it('sends the request id upstream and returns it to the client', async () => {
    const result = await client.callTool({ name: 'alpha__headers', arguments: {} });
    const headers = JSON.parse((result.content as { text: string }[])[0]!.text) as Record<string, string>;
    expect(headers['x-request-id']).toBe('e2e-correlation-1');
    expect(headers.authorization).toBeUndefined();
    const response = await fetch(`${gateway.baseUrl}/live`, { headers: { 'x-request-id': 'probe-7' } });
    expect(response.headers.get('x-request-id')).toBe('probe-7');
    const generated = await fetch(`${gateway.baseUrl}/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('health', () => {
  it('reports each upstream on /ready and stays ready while an ordinary upstream is down', async () => {
    const response = await fetch(`${gateway.baseUrl}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { upstreams: { name: string; state: string; error?: string }[] };
    const states = Object.fromEntries(body.upstreams.map((u) => [u.name, u.state]));
    expect(states).toEqual({ alpha: 'ready', beta: 'ready', gamma: 'down' });
    expect(body.upstreams.find((u) => u.name === 'gamma')!.error).toMatch(/ECONNREFUSED/);
  });
});
