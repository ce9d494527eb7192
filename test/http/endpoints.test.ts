/**
 * Virtual endpoints, in-process: one gateway, one set of upstream servers, and `/mcp/dev` and
 * `/mcp/support` each serving its own part of the catalogue beside `/mcp`, which serves all of it.
 * Lists, calls, prompts and resources, 2025 sessions (bound to their endpoint) and 2026-07-28
 * requests, `list_changed` told only where the change shows; and the configurations refused at boot.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { SetupContext } from 'mcp-gateway';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import type { GatewayError } from '../../core/kernel/errors.ts';
import { Catalogue } from '../../core/engine/catalogue.ts';
import { configuredEndpoints, EndpointViews } from '../../core/engine/endpoints.ts';
import { MemorySessionStore } from '../../core/engine/mcp/memory-session-store.ts';
import { initializeBody, mcpHeaders, messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';

const made: Record<'alpha' | 'beta', McpServer[]> = { alpha: [], beta: [] };

const upstream = (name: 'alpha' | 'beta') => () => {
  const server = new McpServer(
    { name, version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} } },
  );
  server.registerTool('echo', { description: 'Echoes', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text: `${name}: ${text}` }],
  }));
  server.registerTool('delete_all', { description: 'Deletes everything' }, async () => ({ content: [] }));
  server.registerPrompt('greet', { description: 'Greets' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: `hello from ${name}` } }],
  }));
  server.registerResource('readme', `${name}://readme`, { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: `${name} readme` }],
  }));
  made[name].push(server);
  return server;
};

let gateway: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({
    servers: { alpha: upstream('alpha'), beta: upstream('beta') },
    config: {
      endpoints: {
        dev: { path: '/mcp/dev', servers: ['alpha'], tools: ['alpha__echo'] },
        support: { path: '/mcp/support', servers: ['beta'] },
      },
    },
  });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway.close();
});

async function connect(path: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'endpoints-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(path, gateway.url), { fetch: gateway.fetch });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

const names = (items: { name: string }[]) => items.map((item) => item.name).sort();

describe('an endpoint serves its part of the catalogue', () => {
  it('lists its servers and tools only, and /mcp everything', async () => {
    const { client: dev } = await connect('/mcp/dev');
    const { client: support } = await connect('/mcp/support');
    const { client: all } = await connect('/mcp');
    expect(names((await dev.listTools()).tools)).toEqual(['alpha__echo']);
    expect(names((await support.listTools()).tools)).toEqual(['beta__delete_all', 'beta__echo']);
    expect(names((await all.listTools()).tools)).toEqual([
      'alpha__delete_all',
      'alpha__echo',
      'beta__delete_all',
      'beta__echo',
    ]);
    expect(names((await dev.listPrompts()).prompts)).toEqual(['alpha__greet']);
    expect(names((await support.listPrompts()).prompts)).toEqual(['beta__greet']);
    expect((await dev.listResources()).resources.map((r) => r.uri)).toEqual(['alpha://readme']);
    expect(dev.getInstructions()).toContain('alpha');
    expect(dev.getInstructions()).not.toContain('beta');
  });

  it('calls what it lists; what it does not is unknown, as a name no server has', async () => {
    const { client: dev } = await connect('/mcp/dev');
    expect(await dev.callTool({ name: 'alpha__echo', arguments: { text: 'hi' } })).toMatchObject({
      content: [{ type: 'text', text: 'alpha: hi' }],
    });
    // Another server's tool: not even its server is named.
    await expect(dev.callTool({ name: 'beta__echo', arguments: { text: 'hi' } })).rejects.toThrow(
      /-32602: Unknown tool: beta__echo$/,
    );
    // A tool of its server left out by its globs: the same answer as for a tool that server lacks.
    const refusal = (name: string) => dev.callTool({ name }).then(String, (error: Error) => error.message);
    const [hidden, absent] = await Promise.all([refusal('alpha__delete_all'), refusal('alpha__nothing')]);
    expect(hidden).toMatch(/Unknown tool: alpha__delete_all/);
    expect(hidden.replaceAll('delete_all', 'X')).toBe(absent.replaceAll('nothing', 'X'));
    await expect(dev.getPrompt({ name: 'beta__greet' })).rejects.toThrow(/Unknown prompt: beta__greet$/);
    await expect(dev.readResource({ uri: 'beta://readme' })).rejects.toThrow(/Unknown resource: beta:\/\/readme/);
    expect(await dev.getPrompt({ name: 'alpha__greet' })).toMatchObject({
      messages: [{ content: { text: 'hello from alpha' } }],
    });
    expect(await dev.readResource({ uri: 'alpha://readme' })).toMatchObject({ contents: [{ text: 'alpha readme' }] });
  });

  it('keeps a session to the endpoint it was opened on: elsewhere its id is unknown (404)', async () => {
    const { transport } = await connect('/mcp/dev');
    const list = (path: string) =>
      gateway.request(path, {
        method: 'POST',
        headers: mcpHeaders(transport.sessionId),
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
    expect((await list('/mcp/support')).status).toBe(404);
    expect((await list('/mcp')).status).toBe(404);
    const own = await list('/mcp/dev');
    expect(own.status).toBe(200);
    expect(await messagesOf(own)).toMatchObject([{ result: { tools: [{ name: 'alpha__echo' }] } }]);
  });

  it('serves 2026-07-28 requests on an endpoint with its part only', async () => {
    const [listed] = await messagesOf(await modernRequest(gateway, 'tools/list', {}, {}, {}, '/mcp/dev'));
    expect(names((listed!.result as { tools: { name: string }[] }).tools)).toEqual(['alpha__echo']);
    const [refused] = await messagesOf(
      await modernRequest(gateway, 'tools/call', { name: 'beta__echo', arguments: { text: 'x' } }, {}, {}, '/mcp/dev'),
    );
    expect(refused).toMatchObject({ error: { code: -32602, message: 'Unknown tool: beta__echo' } });
    const [discovered] = await messagesOf(await modernRequest(gateway, 'server/discover', {}, {}, {}, '/mcp/support'));
    const { instructions } = discovered!.result as { instructions: string };
    expect(instructions).toContain('beta');
    expect(instructions).not.toContain('alpha');
  });

  it('tells list_changed only to the sessions whose endpoint sees the change', async () => {
    const told = (client: Client) => {
      const notes: unknown[] = [];
      client.setNotificationHandler(ToolListChangedNotificationSchema, (note) => void notes.push(note));
      return notes;
    };
    const [dev, support, all] = [await connect('/mcp/dev'), await connect('/mcp/support'), await connect('/mcp')];
    const [devTold, supportTold, allTold] = [told(dev.client), told(support.client), told(all.client)];
    // The clients open their event streams on their own once initialized.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const server of made.beta) server.registerTool('added', { description: 'New' }, async () => ({ content: [] }));
    await vi.waitFor(() => expect([supportTold.length, allTold.length]).toEqual([1, 1]));
    expect(names((await support.client.listTools()).tools)).toContain('beta__added');
    // The change is beta's, which /mcp/dev does not serve: its view did not change.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(devTold).toEqual([]);
  });
});

describe('the views', () => {
  const tool = (name: string) => ({ server: 'alpha', name, value: { name, inputSchema: { type: 'object' as const } } });
  const lists = { server: 'alpha', ready: true, prompts: [], resources: [], resourceTemplates: [] };
  const catalogue = new Catalogue(
    [{ name: 'alpha', prefix: 'alpha', lists: { ...lists, tools: [tool('echo'), tool('add')] } }],
    '__',
  );
  const views = new EndpointViews(
    configuredEndpoints({ dev: { path: '/mcp/dev', tools: ['*__echo'] } }),
    (server) => server === 'a-plugin',
  );

  it('are made once per catalogue and endpoint; an endpoint that narrows nothing is the catalogue', () => {
    const dev = views.view(catalogue, 'dev');
    expect(dev.tools.map((t) => t.value.name)).toEqual(['alpha__echo']);
    expect(views.view(catalogue, 'dev')).toBe(dev);
    expect(views.view(catalogue, 'default')).toBe(catalogue);
    const rebuilt = new Catalogue(
      [{ name: 'alpha', prefix: 'alpha', lists: { ...lists, tools: [tool('echo')] } }],
      '__',
    );
    expect(views.view(rebuilt, 'dev')).not.toBe(dev);
    expect(views.view(catalogue, 'dev')).toBe(dev);
  });

  it("keep a plugin's own tools, whatever the endpoint's servers and globs", () => {
    const withPlugin = new Catalogue(
      [
        {
          name: 'a-plugin',
          prefix: '',
          lists: { ...lists, server: 'a-plugin', tools: [{ ...tool('search_tools'), server: 'a-plugin' }] },
        },
        { name: 'alpha', prefix: 'alpha', lists: { ...lists, tools: [tool('echo'), tool('add')] } },
      ],
      '__',
    );
    expect(views.view(withPlugin, 'dev').tools.map((t) => t.value.name)).toEqual(['search_tools', 'alpha__echo']);
  });
});

describe('a session another replica takes over', () => {
  it("is served on the endpoint it was opened on only; a record from before endpoints is /mcp's", async () => {
    const store = new MemorySessionStore();
    const sharing = {
      name: 'shared-store',
      version: '1.0.0',
      setup: (ctx: SetupContext) => ctx.provide('session-store', store),
    };
    const replica = () =>
      startTestGateway({
        plugins: [sharing],
        servers: { alpha: upstream('alpha') },
        config: { endpoints: { dev: { path: '/mcp/dev' }, support: { path: '/mcp/support' } } },
      });
    const [first, second] = [await replica(), await replica()];
    try {
      const opened = await first.request('/mcp/dev', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify(initializeBody()),
      });
      const id = opened.headers.get('mcp-session-id')!;
      expect((await store.get(id))?.endpoint).toBe('dev');
      const ping = (path: string, session: string) =>
        second.request(path, {
          method: 'POST',
          headers: mcpHeaders(session),
          body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
        });
      expect((await ping('/mcp/support', id)).status).toBe(404);
      expect((await ping('/mcp/dev', id)).status).toBe(200);

      const { endpoint: _, ...old } = (await store.get(id))!;
      await store.set({ ...old, id: 'from-before-endpoints' }, 60_000);
      expect((await ping('/mcp/dev', 'from-before-endpoints')).status).toBe(404);
      expect((await ping('/mcp', 'from-before-endpoints')).status).toBe(200);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('configurations refused at boot, with one line', () => {
  const servers = [
    { name: 'github', type: 'stdio', command: 'x' },
    { name: 'fs', type: 'stdio', command: 'x' },
  ];
  const refusal = (endpoints: Record<string, unknown>) => {
    try {
      parseGatewayConfig({ proxy: { servers }, endpoints });
    } catch (error) {
      return (error as GatewayError).describe();
    }
    return 'accepted';
  };

  it('an unknown server, with a guess', () => {
    expect(refusal({ dev: { path: '/mcp/dev', servers: ['githb'] } })).toMatch(
      /endpoints\.dev\.servers\[0\]: no server is named "githb" in proxy\.servers; fix: did you mean "github"\?$/,
    );
  });

  it('a path twice, /mcp for another endpoint, a path of the gateway own routes', () => {
    expect(refusal({ a: { path: '/mcp/x' }, b: { path: '/mcp/x' } })).toMatch(
      /path \/mcp\/x is already endpoint "a"'s/,
    );
    expect(refusal({ a: { path: '/mcp' } })).toMatch(/path \/mcp is already endpoint "default"'s/);
    expect(refusal({ a: { path: '/ready' } })).toMatch(/path \/ready is the gateway's own/);
    expect(refusal({ a: { path: '/.well-known/x' } })).toMatch(/the gateway's own \(\/\.well-known\)/);
    expect(refusal({ default: { path: '/other' } })).toMatch(/the default endpoint is always \/mcp/);
    expect(refusal({ Dev: { path: '/mcp/dev' } })).toMatch(
      /endpoints\.Dev: endpoint name "Dev" is not lowercase.*fix: name it "dev"$/,
    );
    expect(refusal({ dev: { servers: ['fs'] } })).toMatch(/endpoint "dev" has no path/);
    expect(
      refusal({ dev: { path: '/mcp/dev', servers: ['fs'], tools: ['fs_*'] }, default: { servers: ['github'] } }),
    ).toBe('accepted');
  });

  it('a path a plugin serves', async () => {
    const hello = {
      name: 'hello-route',
      version: '1.0.0',
      setup: (ctx: SetupContext) => ctx.http.route('GET', '/mcp/hello', (c) => c.text('hello'), { auth: 'none' }),
    };
    await expect(
      startTestGateway({ plugins: [hello], config: { endpoints: { hello: { path: '/mcp/hello' } } } }),
    ).rejects.toThrow(/endpoint "hello": path \/mcp\/hello is a route of plugin hello-route/);
  });

  it('a permissions policy for an endpoint the gateway does not have', async () => {
    await expect(
      startTestGateway({
        config: {
          endpoints: { dev: { path: '/mcp/dev' } },
          auth: { endpoints: { dve: { permissions: { '*:*': [] } } } },
        },
      }),
    ).rejects.toThrow(/auth\.endpoints\.dve: the gateway has no endpoint "dve" \(it has: default, dev\)/);
  });
});
