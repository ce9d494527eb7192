/**
 * A catalogue rebuilt after another keeps the items of the upstreams that did not change, so that
 * telling which lists changed costs an identity check for them; what did change (an item, how it
 * is exposed) is told apart.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { definePlugin, type GatewayView } from 'mcp-gateway';
import { startTestGateway } from 'mcp-gateway/testing';
import { expect, it, vi } from 'vitest';
import { Catalogue, type CatalogueSource, sameItems } from '../../core/engine/catalogue.ts';
import type { Tool } from '../../core/kernel/protocol.ts';

const tool = (name: string, description = name): Tool => ({ name, description, inputSchema: { type: 'object' } });

const source = (server: string, tools: readonly Tool[], prefix = server): CatalogueSource => ({
  name: server,
  prefix,
  lists: {
    server,
    ready: true,
    tools: tools.map((value) => ({ server, name: value.name, value })),
    prompts: [],
    resources: [{ uri: `${server}://readme`, name: 'readme' }],
    resourceTemplates: [],
  },
});

it('reuses the items of an unchanged upstream, and makes new ones for what changed', () => {
  const alphaTools = [tool('echo'), tool('add')];
  const first = new Catalogue([source('alpha', alphaTools), source('beta', [tool('echo')])], '__');
  const betaChanged = [tool('echo', 'echoes, now louder')];
  const second = new Catalogue([source('alpha', alphaTools), source('beta', betaChanged)], '__', first);

  expect(second.tools[0]).toBe(first.tools[0]);
  expect(second.tools[1]).toBe(first.tools[1]);
  expect(second.tools[2]).not.toBe(first.tools[2]);
  expect(second.tools[2]!.value.description).toBe('echoes, now louder');
  expect(sameItems(first.tools.slice(0, 2), second.tools.slice(0, 2))).toBe(true);
  expect(sameItems(first.tools, second.tools)).toBe(false);
});

it('makes a new item when the same upstream item is exposed otherwise: another prefix, a clashing URI', () => {
  const tools = [tool('echo')];
  const first = new Catalogue([source('alpha', tools)], '__');
  const prefixed = new Catalogue([source('alpha', tools, 'a')], '__', first);
  expect(prefixed.tools[0]!.value.name).toBe('a__echo');
  expect(sameItems(first.tools, prefixed.tools)).toBe(false);

  // beta's resource becomes qualified once alpha, listed first, has the same URI.
  const beta = source('beta', []);
  const alone = new Catalogue([beta], '__');
  const clashing = {
    ...source('alpha', []),
    lists: { ...source('alpha', []).lists, resources: beta.lists.resources },
  };
  const shared = new Catalogue([clashing, beta], '__', alone);
  expect(shared.resources.map((r) => r.value.uri)).toEqual(['beta://readme', 'mcp-gateway:beta:beta://readme']);
});

it('tells equal lists of new objects equal, and lists of another length or order not', () => {
  const a = new Catalogue([source('alpha', [tool('echo'), tool('add')])], '__');
  const b = new Catalogue([source('alpha', [tool('echo'), tool('add')])], '__');
  expect(a.tools[0]).not.toBe(b.tools[0]);
  expect(sameItems(a.tools, b.tools)).toBe(true);
  expect(sameItems(a.tools, [...b.tools].reverse())).toBe(false);
  expect(sameItems(a.tools, b.tools.slice(1))).toBe(false);
});

it("keeps, through the gateway, the items of an upstream whose list_changed changed nothing, when another's did", async () => {
  let view: GatewayView | undefined;
  const spy = definePlugin({ name: 'spy', version: '1.0.0', setup: (ctx) => void (view = ctx.gateway) });
  const made = new Map<string, { server: McpServer; tools: string[] }>();
  const upstream = (name: string) => () => {
    const server = new McpServer({ name, version: '1.0.0' });
    made.set(name, { server, tools: ['echo'] });
    server.registerTool('echo', { description: 'echo' }, () => ({ content: [] }));
    return server;
  };
  const gateway = await startTestGateway({
    servers: { alpha: upstream('alpha'), beta: upstream('beta') },
    plugins: [spy],
  });
  try {
    const before = view!.catalogue();
    const alphaEcho = before.tools.find((t) => t.server === 'alpha')!;
    made.get('alpha')!.server.sendToolListChanged();
    made.get('beta')!.server.registerTool('add', { description: 'add' }, () => ({ content: [] }));
    await vi.waitFor(() => expect(view!.catalogue().tools.map((t) => t.value.name)).toContain('beta__add'));
    expect(view!.catalogue().tools.find((t) => t.server === 'alpha')).toBe(alphaEcho);
  } finally {
    await gateway.close();
  }
});
