/**
 * The tool-filter plugin over real parts: SDK `McpServer` upstreams in the test's process, the
 * plugin implied by its `tool_filter:` section, the SDK client. What is hidden is hidden from
 * lists and calls, what is renamed is listed and called by its new name only (the upstream still
 * gets its own), overrides show in lists, and the shaping follows `list_changed` and reloads.
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { definePlugin, ErrorCodes, type GatewayView, type OperationEvent } from 'mcp-gateway';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from 'mcp-gateway/testing';
import { afterEach, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../test/helpers/processes.ts';

/** Every McpServer made, so that a test can change the upstream's tools. */
let made: McpServer[] = [];
/** The upstream names of the tools the upstream was asked to call. */
let called: string[] = [];

function github() {
  const server = new McpServer({ name: 'github', version: '1.0.0' });
  const tool = (name: string, annotations?: Record<string, boolean>) =>
    server.registerTool(name, { description: `upstream ${name}`, annotations }, async () => {
      called.push(name);
      return { content: [{ type: 'text', text: `${name} ran` }] };
    });
  tool('search_repositories', { readOnlyHint: true });
  tool('search_code', { readOnlyHint: true });
  tool('get_issue', { readOnlyHint: true });
  tool('create_issue');
  tool('delete_admin', { readOnlyHint: true });
  server.registerPrompt(
    'triage',
    {
      description: 'upstream triage',
      argsSchema: { area: completable(z.string(), (v) => ['ci', 'docs'].filter((a) => a.startsWith(v))) },
    },
    ({ area }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `triage ${area}` } }],
    }),
  );
  server.registerPrompt('summarize', { description: 'upstream summarize' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'summarize' } }],
  }));
  server.registerResource('readme', 'repo://readme', {}, async (uri) => ({
    contents: [{ uri: uri.href, text: 'hi' }],
  }));
  server.registerResource('secrets', 'repo://secrets', {}, async (uri) => ({
    contents: [{ uri: uri.href, text: 'no' }],
  }));
  made.push(server);
  return server;
}

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  made = [];
  called = [];
});

const start = (toolFilter: Record<string, unknown>, plugins: TestGatewayOptions['plugins'] = []) =>
  startTestGateway({ config: { tool_filter: { servers: { github: toolFilter } } }, servers: { github }, plugins });

const toolNames = async (client: Awaited<ReturnType<TestGateway['connect']>>) =>
  (await client.listTools()).tools.map((t) => t.name).sort();

it('include, exclude and required annotations decide which tools are listed; hidden tools are unknown', async () => {
  gateway = await start({
    include: ['search_*', 'get_*', '*_admin', 'create_*'],
    exclude: ['*_admin'],
    require_annotations: { readOnlyHint: true },
  });
  const client = await gateway.connect();
  expect(await toolNames(client)).toEqual(['github__get_issue', 'github__search_code', 'github__search_repositories']);
  for (const hidden of ['github__create_issue', 'github__delete_admin']) {
    await expect(client.callTool({ name: hidden, arguments: {} })).rejects.toThrow(/Unknown tool/);
  }
  expect(called).toEqual([]);
});

it('a renamed tool is listed and called by its new name only; the upstream gets its own name', async () => {
  gateway = await start({
    rename: { search_repositories: 'find_repos' },
    override: {
      search_repositories: { description: 'Find repositories', annotations: { idempotentHint: true } },
      create_issue: { title: 'New issue' },
    },
  });
  const client = await gateway.connect();
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).not.toContain('github__search_repositories');
  const found = tools.find((t) => t.name === 'github__find_repos');
  expect(found).toMatchObject({
    description: 'Find repositories',
    annotations: { readOnlyHint: true, idempotentHint: true },
  });
  expect(tools.find((t) => t.name === 'github__create_issue')?.title).toBe('New issue');
  const result = await client.callTool({ name: 'github__find_repos', arguments: {} });
  expect(result.content).toEqual([{ type: 'text', text: 'search_repositories ran' }]);
  await expect(client.callTool({ name: 'github__search_repositories', arguments: {} })).rejects.toThrow(/Unknown tool/);
  expect(called).toEqual(['search_repositories']);
});

it('prompts are filtered, renamed and described; completions and gets follow the new name', async () => {
  gateway = await start({
    prompts: {
      exclude: ['summarize'],
      rename: { triage: 'sort_out' },
      override: { triage: { description: 'Sort it out' } },
    },
  });
  const client = await gateway.connect();
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => [p.name, p.description])).toEqual([['github__sort_out', 'Sort it out']]);
  const got = await client.getPrompt({ name: 'github__sort_out', arguments: { area: 'ci' } });
  expect(got.messages[0]?.content).toEqual({ type: 'text', text: 'triage ci' });
  await expect(client.getPrompt({ name: 'github__triage', arguments: { area: 'ci' } })).rejects.toThrow(
    /Unknown prompt/,
  );
  await expect(client.getPrompt({ name: 'github__summarize' })).rejects.toThrow(/Unknown prompt/);
  const completion = await client.complete({
    ref: { type: 'ref/prompt', name: 'github__sort_out' },
    argument: { name: 'area', value: 'c' },
  });
  expect(completion.completion.values).toEqual(['ci']);
  await expect(
    client.complete({ ref: { type: 'ref/prompt', name: 'github__triage' }, argument: { name: 'area', value: 'c' } }),
  ).rejects.toThrow(/Unknown prompt/);
});

it("an upstream's list_changed is shaped again: a new tool matching an exclude stays hidden", async () => {
  gateway = await start({ exclude: ['*_admin'] });
  const client = await gateway.connect();
  const changed = vi.fn();
  client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
  for (const server of made) {
    server.registerTool('purge_admin', { description: 'purge' }, async () => ({ content: [] }));
    server.registerTool('list_stars', { description: 'stars' }, async () => ({ content: [] }));
  }
  await vi.waitFor(async () => expect(await toolNames(client)).toContain('github__list_stars'));
  expect(await toolNames(client)).not.toContain('github__purge_admin');
  expect(changed).toHaveBeenCalled();
});

it('a reload with other rules applies them, and tells clients', async () => {
  gateway = await start({ exclude: ['create_issue'] });
  const client = await gateway.connect();
  const changed = vi.fn();
  client.setNotificationHandler(ToolListChangedNotificationSchema, changed);
  expect(await toolNames(client)).not.toContain('github__create_issue');
  const report = await gateway.reload({
    tool_filter: { servers: { github: { include: ['create_issue'], rename: { create_issue: 'open_issue' } } } },
  });
  expect(report.reloadedPlugins).toEqual(['tool-filter']);
  expect(await toolNames(client)).toEqual(['github__open_issue']);
  await vi.waitFor(() => expect(changed).toHaveBeenCalled());
});

it('two renames to one name are refused at boot, in one line', async () => {
  const boot = start({ rename: { search_repositories: 'search', search_code: 'search' } });
  await expect(boot).rejects.toMatchObject({ code: ErrorCodes.NAME_CLASH });
  const message = await boot.catch((error: Error) => error.message);
  expect(message).toBe(
    'tool "github__search" is exposed by "github" (renaming "search_repositories") and "github" (renaming "search_code"); ' +
      '"github" (renaming "search_repositories") keeps it, "github" (renaming "search_code") lose it. ' +
      'Rename to distinct names, or give the servers distinct prefixes (proxy.servers[].prefix)',
  );
});

it("the operation event of a renamed tool's call names the upstream's tool and the exposed one", async () => {
  const events: OperationEvent[] = [];
  let view: GatewayView | undefined;
  const recorder = definePlugin({
    name: 'recorder',
    version: '1.0.0',
    setup(ctx) {
      view = ctx.gateway;
      return { onEvent: (event) => void (event.type === 'operation' && events.push(event)) };
    },
  });
  gateway = await start({ rename: { get_issue: 'issue' } }, [recorder]);
  const client = await gateway.connect();
  await client.callTool({ name: 'github__issue', arguments: {} });
  await view!.eventsDelivered();
  const call = events.find((e) => e.method === 'tools/call');
  expect(call?.target).toEqual({ kind: 'tool', server: 'github', name: 'get_issue', exposed: 'github__issue' });
  // The status page's view of the catalogue is the shaped one too.
  const exposed = view!.catalogue().tools.map((t) => [t.name, t.value.name]);
  expect(exposed).toContainEqual(['get_issue', 'github__issue']);
  expect(exposed.map(([, name]) => name)).not.toContain('github__get_issue');
});

it('resources are filtered by URI, and a hidden one cannot be read', async () => {
  gateway = await start({ resources: { exclude: ['repo://secret*'] } });
  const client = await gateway.connect();
  expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['repo://readme']);
  await expect(client.readResource({ uri: 'repo://secrets' })).rejects.toThrow(/Unknown resource/);
  // The form that reaches a server directly, listed or not, is held to the same rules.
  await expect(client.readResource({ uri: 'mcp-gateway:github:repo://secrets' })).rejects.toThrow(
    /Unknown resource: mcp-gateway:github:repo:\/\/secrets/,
  );
  await expect(client.subscribeResource({ uri: 'mcp-gateway:github:repo://secrets' })).rejects.toThrow(
    /Unknown resource/,
  );
  expect((await client.readResource({ uri: 'mcp-gateway:github:repo://readme' })).contents).toHaveLength(1);
});

it("the audit record of a renamed tool's call keeps the upstream's name beside the exposed one", async () => {
  const dir = tempDir('mcpgw-tool-filter-');
  gateway = await startTestGateway({
    config: {
      tool_filter: { servers: { github: { rename: { get_issue: 'issue' } } } },
      audit: { sink: 'file', file: { path: 'audit.jsonl' } },
    },
    servers: { github },
    baseDir: dir,
  });
  const client = await gateway.connect();
  await client.callTool({ name: 'github__issue', arguments: {} });
  const file = join(dir, 'audit.jsonl');
  await vi.waitFor(() => expect(existsSync(file) && readFileSync(file, 'utf8')).toContain('tools/call'));
  const record = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((r) => r.method === 'tools/call');
  expect(record).toMatchObject({ kind: 'tool', server: 'github', name: 'get_issue', exposed: 'github__issue' });
});
