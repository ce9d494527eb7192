/**
 * Rules that name nothing are almost always typos: each is warned once, naming it, when the
 * server's lists are first seen (not while it is down), and again after a reload.
 */
import type { GatewayConfig, PluginHooks, SetupContext, UpstreamLists } from 'mcp-gateway';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import plugin from './index.ts';
import { optionsSchema } from './options.ts';

const lists = (ready: boolean): UpstreamLists => ({
  server: 'github',
  ready,
  tools: [{ server: 'github', name: 'search_code', value: { name: 'search_code', inputSchema: { type: 'object' } } }],
  prompts: [],
  resources: [],
  resourceTemplates: [],
});

function setUp(options: unknown) {
  const lines: { msg: string; rule?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const ctx = {
    options: optionsSchema.parse(options),
    config: { proxy: { servers: [{ name: 'github' }] } } as unknown as GatewayConfig,
    logger,
    gateway: { status: () => ({ phase: 'ready', upstreams: [{ name: 'github' }] }) },
  } as unknown as SetupContext<never>;
  const hooks = plugin.setup(ctx as never) as PluginHooks;
  return { hooks, lines };
}

it('warns once per rule that matches nothing, when the server has listed its items', async () => {
  const rules = {
    include: ['search_*', 'get_*'],
    rename: { search_cod: 'find_code' },
    prompts: { exclude: ['x'] },
    resources: { include: ['repo://*'] },
  };
  const { hooks, lines } = setUp({ servers: { github: rules, gitlab: {} } });
  const onCatalogue = hooks.onCatalogue as (lists: UpstreamLists) => UpstreamLists;
  onCatalogue(lists(false));
  expect(lines.map((l) => l.msg)).toEqual(['tool_filter.servers.gitlab names a server that is not in proxy.servers']);
  onCatalogue(lists(true));
  onCatalogue(lists(true));
  expect(lines.slice(1).map((l) => l.msg)).toEqual([
    'tool_filter.servers.github.include: "get_*" matches nothing server "github" lists',
    'tool_filter.servers.github.rename: "search_cod" matches nothing server "github" lists',
    'tool_filter.servers.github.prompts.exclude: "x" matches nothing server "github" lists',
    'tool_filter.servers.github.resources.include: "repo://*" matches nothing server "github" lists',
  ]);
  await (hooks.onReload as (ctx: { options: unknown }) => void)({
    options: optionsSchema.parse({ servers: { github: { exclude: ['nope'] } } }),
  });
  onCatalogue(lists(true));
  expect(lines.at(-1)?.msg).toBe('tool_filter.servers.github.exclude: "nope" matches nothing server "github" lists');
});
