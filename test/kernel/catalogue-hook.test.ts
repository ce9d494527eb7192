/**
 * The `onCatalogue` chain (kernel.shapeCatalogue): each upstream's lists through the hooks in load
 * order where the catalogue is built; and, in the engine, a failing hook withholds only the lists
 * of the server it failed on (fail closed), while routing follows the names the hooks return.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import type { UpstreamLists } from '../../core/kernel/context.ts';
import { ErrorCodes } from '../../core/kernel/errors.ts';
import type { CatalogueHook } from '../../core/kernel/hooks.ts';
import { definePlugin } from '../../core/kernel/plugin.ts';
import { startTestGateway } from '../../core/testing/index.ts';
import { bootKernel, plugin } from './helpers.ts';

const lists: UpstreamLists = {
  server: 'srv',
  ready: true,
  tools: ['read', 'write'].map((name) => ({ server: 'srv', name, value: { name, inputSchema: { type: 'object' } } })),
  prompts: [],
  resources: [],
  resourceTemplates: [],
};
const toolNames = (l: UpstreamLists) => l.tools.map((t) => `${t.name}->${t.value.name}`);

describe('kernel.shapeCatalogue', () => {
  it("gives each hook the previous hook's lists, in load order; nothing keeps them", async () => {
    const kernel = await bootKernel(
      plugin('hide-write', { onCatalogue: (l) => ({ ...l, tools: l.tools.filter((t) => t.name !== 'write') }) }),
      plugin('noop', { onCatalogue: () => undefined }),
      plugin('rename', {
        onCatalogue: (l) => ({ ...l, tools: l.tools.map((t) => ({ ...t, value: { ...t.value, name: 'get' } })) }),
      }),
    );
    expect(toolNames(kernel.shapeCatalogue(lists))).toEqual(['read->get']);
  });

  it('refuses an answer without the four lists, naming the plugin', async () => {
    const kernel = await bootKernel(
      plugin('forgot-spread', {
        onCatalogue: ((l: UpstreamLists) => ({ tools: l.tools })) as unknown as CatalogueHook,
      }),
    );
    expect(() => kernel.shapeCatalogue(lists)).toThrow(
      expect.objectContaining({ code: ErrorCodes.HOOK_FAILED, plugin: 'forgot-spread', hook: 'onCatalogue' }),
    );
  });
});

const server = (name: string) => () => {
  const s = new McpServer({ name, version: '1.0.0' });
  s.registerTool('ping', {}, async () => ({ content: [{ type: 'text', text: `${name} pong` }] }));
  return s;
};

it("a throwing onCatalogue withholds that server's lists only; routing follows renames", async () => {
  const shaper = definePlugin({
    name: 'shaper',
    version: '1.0.0',
    setup: () => ({
      onCatalogue(l) {
        if (l.server === 'broken') throw new Error('rules unreadable');
        return { ...l, tools: l.tools.map((t) => ({ ...t, value: { ...t.value, name: 'pong' } })) };
      },
    }),
  });
  const gateway = await startTestGateway({
    plugins: [shaper],
    servers: { fine: server('fine'), broken: server('broken') },
  });
  try {
    const client = await gateway.connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['fine__pong']);
    expect((await client.callTool({ name: 'fine__pong', arguments: {} })).content).toEqual([
      { type: 'text', text: 'fine pong' },
    ]);
    await expect(client.callTool({ name: 'broken__ping', arguments: {} })).rejects.toThrow(/Unknown tool/);
  } finally {
    await gateway.close();
  }
});
