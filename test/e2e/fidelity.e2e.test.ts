/**
 * Protocol fidelity through a real gateway process: server-to-client requests (sampling,
 * elicitation, roots) reach the client that caused them, with that client's capabilities
 * forwarded upstream; logs, resource updates and list changes reach the right clients; the
 * gateway's own lists are paginated; clashing resource URIs stay reachable.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { stdioFixture as stdio } from '../helpers/servers.ts';

import {
  fixtureStdioCommand,
  startFixtureHttp,
  startGateway,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';

const waitFor = <T>(subscribe: (resolve: (value: T) => void) => void, what: string, ms = 5000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    subscribe((value) => (clearTimeout(timer), resolve(value)));
  });

let alpha: FixtureHttp;
let gateway: RunningGateway;
/** A client that supports sampling, elicitation and roots. */
let capable: Client;
/** A client that supports none of them. */
let plain: Client;

beforeAll(async () => {
  alpha = await startFixtureHttp('alpha');
  gateway = await startGateway({
    config: {
      proxy: {
        servers: [
          { name: 'alpha', type: 'streamable-http', connection: { url: alpha.url } },
          stdio('beta'),
          stdio('gamma', { upstream_sessions: 'per-client' }),
        ],
      },
    },
  });
  capable = await connectClient(gateway.mcpUrl, {
    capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
  });
  capable.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: 'assistant',
    model: 'test-model',
    content: {
      type: 'text',
      text: `from the client: ${(request.params.messages[0]!.content as { text: string }).text}`,
    },
  }));
  capable.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada' } }));
  capable.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
  plain = await connectClient(gateway.mcpUrl);
});

afterAll(async () => {
  await capable?.close();
  await plain?.close();
  await gateway?.stop();
  await alpha?.stop();
});

describe('initialize', () => {
  it('advertises what the upstreams offer and names them in its instructions', () => {
    expect(capable.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      logging: {},
    });
    const instructions = capable.getInstructions() ?? '';
    for (const name of ['alpha', 'beta', 'gamma'])
      expect(instructions).toContain(`- ${name}: tools and prompts are named "${name}__<name>"`);
  });
});

describe('server-to-client requests', () => {
  it('relays sampling to the client whose call caused it, and its answer back', async () => {
    const result = await capable.callTool({ name: 'alpha__sample', arguments: { prompt: 'hi' } });
    expect(textOf(result)).toBe('sampled: from the client: hi');
  });

  it("forwards each client's own capabilities, so upstreams only ask what the client supports", async () => {
    const result = await plain.callTool({ name: 'alpha__sample', arguments: { prompt: 'hi' } });
    expect(result).toMatchObject({ isError: true, content: [{ text: 'the client does not support sampling' }] });
  });

  it('relays elicitation and roots', async () => {
    expect(
      JSON.parse(textOf(await capable.callTool({ name: 'alpha__elicit', arguments: { message: 'Who?' } }))),
    ).toEqual({
      action: 'accept',
      content: { name: 'Ada' },
    });
    expect(JSON.parse(textOf(await capable.callTool({ name: 'alpha__roots', arguments: {} })))).toEqual({
      roots: [{ uri: 'file:///work', name: 'work' }],
    });
  });

  it("relays a request an upstream sends outside any call (roots/list after a change of roots) on the client's GET stream", async () => {
    await capable.sendRootsListChanged();
    await expect
      .poll(
        async () =>
          JSON.parse(textOf(await capable.callTool({ name: 'alpha__roots_after_change', arguments: {} }))) as unknown,
        { timeout: 5000 },
      )
      .toEqual(['file:///work']);
  });

  it('relays sampling from a stdio server in per-client mode', async () => {
    expect(textOf(await capable.callTool({ name: 'gamma__sample', arguments: { prompt: 'child' } }))).toBe(
      'sampled: from the client: child',
    );
  });

  it('never offers sampling on a shared upstream session, which serves every client at once', async () => {
    const result = await capable.callTool({ name: 'beta__sample', arguments: { prompt: 'hi' } });
    expect(result).toMatchObject({ isError: true, content: [{ text: 'the client does not support sampling' }] });
  });
});

describe('notifications', () => {
  it("passes the client's logging level upstream and the upstream's log messages back", async () => {
    await capable.setLoggingLevel('debug');
    const message = waitFor<Record<string, unknown>>(
      (resolve) => capable.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => resolve(n.params)),
      'log message',
    );
    await capable.callTool({ name: 'alpha__log', arguments: { level: 'warning', text: 'hello from upstream' } });
    expect(await message).toMatchObject({ level: 'warning', data: 'hello from upstream', logger: 'alpha' });
  });

  for (const server of ['alpha', 'beta']) {
    it(`sends resources/updated from ${server} to the clients that subscribed, and only to them`, async () => {
      const uri = `${server}://readme`;
      const updates = { capable: [] as string[], plain: [] as string[] };
      capable.setNotificationHandler(
        ResourceUpdatedNotificationSchema,
        async (n) => void updates.capable.push(n.params.uri),
      );
      plain.setNotificationHandler(
        ResourceUpdatedNotificationSchema,
        async (n) => void updates.plain.push(n.params.uri),
      );
      await capable.subscribeResource({ uri });
      await capable.callTool({ name: `${server}__touch`, arguments: { uri } });
      await expect.poll(() => updates.capable, { timeout: 5000 }).toEqual([uri]);
      await capable.unsubscribeResource({ uri });
      await capable.callTool({ name: `${server}__touch`, arguments: { uri } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(updates).toEqual({ capable: [uri], plain: [] });
    });
  }

  it('announces a tool an upstream adds, which then lists and calls', async () => {
    const changed = waitFor<void>(
      (resolve) => plain.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve()),
      'tools/list_changed',
    );
    await capable.callTool({ name: 'alpha__add_tool', arguments: { name: 'fresh' } });
    await changed;
    expect((await plain.listTools()).tools.map((t) => t.name)).toContain('alpha__fresh');
    expect(textOf(await plain.callTool({ name: 'alpha__fresh', arguments: {} }))).toBe('fresh from alpha');
  });
});

describe('cancellation', () => {
  it('cancels the upstream call when the client goes away mid-request', async () => {
    const stats = async () =>
      JSON.parse(textOf(await plain.callTool({ name: 'alpha__stats', arguments: {} }))) as { cancelled: number };
    const before = (await stats()).cancelled;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    const session = {
      ...headers,
      'mcp-session-id': init.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    await init.text();
    await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    const leaving = new AbortController();
    const call = fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'alpha__slow', arguments: { ms: 5000 } },
      }),
      signal: leaving.signal,
    }).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 400));
    leaving.abort();
    await call.catch(() => {});
    await expect.poll(async () => (await stats()).cancelled, { timeout: 5000 }).toBe(before + 1);
  });
});

describe("the gateway's own lists", () => {
  it('are paginated past proxy.page_size, and refuse a cursor they did not issue', async () => {
    const small = await startGateway({ config: { proxy: { page_size: 4, servers: [stdio('paged')] } } });
    const client = await connectClient(small.mcpUrl);
    try {
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor });
        expect(page.tools.length).toBeLessThanOrEqual(4);
        names.push(...page.tools.map((t) => t.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(2);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain('paged__echo');
      expect(names).toContain('paged__freeze');
      await expect(client.listTools({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: -32602 });
    } finally {
      await client.close();
      await small.stop();
    }
  });
});

describe('resource URIs', () => {
  it('keep upstream URIs; a URI two servers list stays reachable on both, the second qualified', async () => {
    const env = { FIXTURE_SHARED_RESOURCE: '1' };
    const clash = await startGateway({
      config: {
        proxy: {
          servers: [
            { ...stdio('first'), connection: { ...fixtureStdioCommand, env: { ...env, FIXTURE_NAME: 'first' } } },
            { ...stdio('second'), connection: { ...fixtureStdioCommand, env: { ...env, FIXTURE_NAME: 'second' } } },
          ],
        },
      },
    });
    const client = await connectClient(clash.mcpUrl);
    try {
      const uris = (await client.listResources()).resources.map((r) => r.uri);
      expect(uris).toEqual(['first://readme', 'shared://doc', 'second://readme', 'mcp-gateway:second:shared://doc']);
      expect((await client.readResource({ uri: 'shared://doc' })).contents).toEqual([
        { uri: 'shared://doc', mimeType: 'text/plain', text: 'content of shared://doc from first' },
      ]);
      expect((await client.readResource({ uri: 'mcp-gateway:second:shared://doc' })).contents).toEqual([
        { uri: 'mcp-gateway:second:shared://doc', mimeType: 'text/plain', text: 'content of shared://doc from second' },
      ]);
      expect((await client.readResource({ uri: 'mcp-gateway:first:first://readme' })).contents[0]).toMatchObject({
        text: 'content of first://readme from first',
      });
      await expect(client.readResource({ uri: 'nowhere://x' })).rejects.toMatchObject({ code: -32602 });
    } finally {
      await client.close();
      await clash.stop();
    }
  });
});
