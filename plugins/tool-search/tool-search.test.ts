/**
 * The tool-search plugin over real parts: upstreams serving real servers' tool definitions (the
 * corpus of published MCP servers) through the SDK's `Server`, the plugin implied by its
 * `tool_search:` section, the permissions plugin, the SDK client. A client lists three tools,
 * finds the ones it may use, calls them through `call_tool` as it would directly, and the index
 * follows `list_changed` and reloads.
 */
import { Client as ModernClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { definePlugin, ErrorCodes, GatewayError, type OperationEvent, RpcCodes } from 'mcp-gateway';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from 'mcp-gateway/testing';
import { afterEach, expect, it, vi } from 'vitest';
import corpus from '../../test/fixtures/tool-search/corpus.json' with { type: 'json' };
import { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';

const corpusTools = (server: string) => corpus.servers.find((s) => s.server === server)!.tools as Tool[];

/** Calls the upstreams got: server, the upstream's tool name, its arguments. */
let called: { server: string; tool: string; args: unknown }[] = [];
/** The upstreams made, by server name, to change their tools. */
let upstreams = new Map<string, { server: Server; tools: Tool[] }>();

/** An upstream serving `tools`; a call answers with its arguments, structured. */
const upstream = (name: string, tools: Tool[]) => () => {
  const server = new Server({ name, version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
  const state = { server, tools: [...tools] };
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: state.tools }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    called.push({ server: name, tool: request.params.name, args: request.params.arguments });
    return {
      content: [{ type: 'text', text: `${name}/${request.params.name} ran` }],
      structuredContent: { echoed: request.params.arguments ?? null },
      _meta: { 'example.com/upstream': name },
    };
  });
  upstreams.set(name, state);
  return server;
};

const servers = {
  github: upstream('github', corpusTools('github')),
  filesystem: upstream('filesystem', corpusTools('filesystem')),
};

/** The exposed name of a server's tool (the default prefix is the server name, separator `__`). */
const exposed = (server: string, tool: string) => `${server}__${tool}`;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  called = [];
  upstreams = new Map();
});

const as = (sub: string, scopes: string[]) => ({ headers: { [principalHeader]: JSON.stringify({ sub, scopes }) } });

const start = (config: Record<string, unknown> = {}, plugins: TestGatewayOptions['plugins'] = []) =>
  startTestGateway({ config: { tool_search: {}, ...config }, servers, plugins });

type Client = Awaited<ReturnType<TestGateway['connect']>>;
type Found = { name: string; description?: string; inputSchema: unknown };

const search = async (client: Client, query: unknown, limit?: number) => {
  const result = await client.callTool({
    name: 'search_tools',
    arguments: { query, ...(limit !== undefined && { limit }) },
  });
  return result as { isError?: boolean; structuredContent?: { tools: Found[] }; content: { text: string }[] };
};
const found = async (client: Client, query: string, limit?: number) =>
  (await search(client, query, limit)).structuredContent!.tools.map((t) => t.name);

it('lists three tools instead of the catalogue; search finds a tool, call_tool calls it as a direct call would', async () => {
  gateway = await start();
  const client = await gateway.connect();
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);

  const answer = await search(client, 'open a pull request from my feature branch into main', 3);
  const hits = answer.structuredContent!.tools;
  expect(hits.length).toBe(3);
  const hit = hits.find((t) => t.name === exposed('github', 'create_pull_request'))!;
  const upstreamDefinition = corpusTools('github').find((t) => t.name === 'create_pull_request')!;
  expect(hit.inputSchema).toEqual(upstreamDefinition.inputSchema);
  expect(JSON.parse(answer.content[0]!.text)).toEqual(answer.structuredContent);

  const described = await client.callTool({ name: 'describe_tool', arguments: { name: hit.name } });
  expect(described.structuredContent).toEqual({
    tool: { ...upstreamDefinition, name: exposed('github', 'create_pull_request') },
  });

  const args = { owner: 'o', repo: 'r', title: 't', head: 'feature', base: 'main' };
  const result = await client.callTool({
    name: 'call_tool',
    arguments: { name: exposed('github', 'create_pull_request'), arguments: args },
  });
  // The upstream's result, unchanged: structured content and _meta pass through.
  expect(result).toEqual({
    content: [{ type: 'text', text: 'github/create_pull_request ran' }],
    structuredContent: { echoed: args },
    _meta: { 'example.com/upstream': 'github' },
  });
  expect(called).toEqual([{ server: 'github', tool: 'create_pull_request', args }]);
});

it('finds and calls only what the principal may use: permissions decide, a refused tool is unknown', async () => {
  gateway = await start(
    {
      auth: {
        permissions: {
          'tool-search:*': [],
          'filesystem:*': [],
          'github:get_*': [],
          'github:*': ['scope:write'],
        },
      },
    },
    ['./test/fixtures/plugins/claims-principal.ts'],
  );
  const reader = await gateway.connect(as('rita', []));
  const writer = await gateway.connect(as('wade', ['scope:write']));
  const query = 'create a new issue in the repository';
  const issue = exposed('github', 'create_issue');

  expect(await found(writer, query)).toContain(issue);
  const readerFinds = await found(reader, query);
  expect(readerFinds).not.toContain(issue);
  expect(readerFinds.every((name) => name.startsWith('filesystem__') || name.startsWith('github__get_'))).toBe(true);

  for (const tool of ['describe_tool', 'call_tool']) {
    const refused = (await reader.callTool({ name: tool, arguments: { name: issue, arguments: {} } })) as {
      isError?: boolean;
      content: { text: string }[];
    };
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toBe(`Unknown tool: "${issue}". search_tools finds tools.`);
  }
  // The same words as for a tool that does not exist: nothing tells that it does.
  const missing = await reader.callTool({ name: 'call_tool', arguments: { name: 'github__no_such_tool' } });
  expect(missing.content).toEqual([
    { type: 'text', text: 'Unknown tool: "github__no_such_tool". search_tools finds tools.' },
  ]);
  expect(called).toEqual([]);

  await writer.callTool({ name: 'call_tool', arguments: { name: issue, arguments: { title: 'x' } } });
  expect(called).toEqual([{ server: 'github', tool: 'create_issue', args: { title: 'x' } }]);
});

it('the search tools are tools like any other: a policy that does not grant them hides them', async () => {
  gateway = await start({ auth: { permissions: { 'github:*': [] } } }, ['./test/fixtures/plugins/claims-principal.ts']);
  const client = await gateway.connect(as('rita', []));
  expect((await client.listTools()).tools).toEqual([]);
  await expect(client.callTool({ name: 'search_tools', arguments: { query: 'issue' } })).rejects.toThrow(
    /insufficient|scope|denied|forbidden/i,
  );
});

it('a call through call_tool goes through every onCallTool hook and is told as an operation of the real tool', async () => {
  const seen: string[] = [];
  const events: OperationEvent[] = [];
  const observer = definePlugin({
    name: 'observer',
    version: '1.0.0',
    setup: () => ({
      async onCallTool(ctx, next) {
        seen.push(`${ctx.server}:${ctx.tool}`);
        return next();
      },
      onEvent(event) {
        if (event.type === 'operation' && event.method === 'tools/call') events.push(event);
      },
    }),
  });
  gateway = await start({}, [observer]);
  const client = await gateway.connect();
  await client.callTool({
    name: 'call_tool',
    arguments: { name: exposed('filesystem', 'read_text_file'), arguments: { path: '/etc/hosts' } },
  });
  expect(seen).toEqual(['tool-search:call_tool', 'filesystem:read_text_file']);
  await vi.waitFor(() => expect(events).toHaveLength(2));
  const inner = events.find((e) => e.target?.server === 'filesystem')!;
  const outer = events.find((e) => e.target?.server === 'tool-search')!;
  expect(inner).toMatchObject({
    target: { kind: 'tool', server: 'filesystem', name: 'read_text_file', exposed: 'filesystem__read_text_file' },
    via: { kind: 'tool', server: 'tool-search', name: 'call_tool', exposed: 'call_tool' },
    arguments: { path: '/etc/hosts' },
    outcome: 'success',
    requestId: outer.requestId,
  });
  expect(outer.via).toBeUndefined();
});

it('a refusal by a hook reaches the caller of call_tool as it reaches a direct caller', async () => {
  const refuse = definePlugin({
    name: 'refuse',
    version: '1.0.0',
    setup: () => ({
      async onCallTool(ctx, next) {
        if (ctx.tool === 'write_file') {
          throw new GatewayError(ErrorCodes.FORBIDDEN, 'no writing today', { rpcCode: RpcCodes.FORBIDDEN });
        }
        return next();
      },
    }),
  });
  gateway = await start({}, [refuse]);
  const client = await gateway.connect();
  const name = exposed('filesystem', 'write_file');
  const direct = await client.callTool({ name, arguments: { path: '/x', content: 'y' } }).catch((e: unknown) => e);
  const through = await client
    .callTool({ name: 'call_tool', arguments: { name, arguments: { path: '/x', content: 'y' } } })
    .catch((e: unknown) => e);
  expect(direct).toMatchObject({ code: RpcCodes.FORBIDDEN, message: expect.stringContaining('no writing today') });
  expect(through).toMatchObject({ code: (direct as { code: number }).code, message: (direct as Error).message });
  expect(called).toEqual([]);
});

it('a 2026-07-28 client answers, in rounds, what a tool called through call_tool asks', async () => {
  const desk = () => {
    const server = new McpServer({ name: 'desk', version: '1.0.0' });
    server.registerTool('book', { description: 'Books a room after asking which' }, async () => {
      const room = await server.server.elicitInput({
        message: 'Which room?',
        requestedSchema: { type: 'object', properties: { answer: { type: 'string' } } },
      });
      return { content: [{ type: 'text', text: `booked ${room.content?.answer}` }] };
    });
    return server;
  };
  gateway = await startTestGateway({ config: { tool_search: {} }, servers: { desk } });
  const client = new ModernClient(
    { name: 'v2-client', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { answer: 'Blue' } }));
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url), { fetch: gateway.fetch }));
  try {
    const result = await client.callTool({ name: 'call_tool', arguments: { name: 'desk__book' } });
    expect(result.content).toEqual([{ type: 'text', text: 'booked Blue' }]);
  } finally {
    await client.close();
  }
});

it('the index follows an upstream list_changed and a reload that hides tools', async () => {
  const filter = (exclude: string[]) => ({ tool_filter: { servers: { github: { exclude } } } });
  gateway = await start(filter(['fork_*']));
  const client = await gateway.connect();
  expect(await found(client, 'transcribe a podcast episode')).not.toContain(exposed('github', 'transcribe_audio'));

  const github = upstreams.get('github')!;
  github.tools.push({
    name: 'transcribe_audio',
    description: 'Transcribe a podcast episode or another audio recording into text.',
    inputSchema: { type: 'object', properties: { url: { type: 'string' } } },
  });
  await github.server.sendToolListChanged();
  await vi.waitFor(async () =>
    expect((await found(client, 'transcribe a podcast episode'))[0]).toBe(exposed('github', 'transcribe_audio')),
  );

  await gateway.reload({ tool_search: {}, ...filter(['fork_*', 'transcribe_*']) });
  await vi.waitFor(async () =>
    expect(await found(client, 'transcribe a podcast episode')).not.toContain(exposed('github', 'transcribe_audio')),
  );
  const hidden = await client.callTool({
    name: 'call_tool',
    arguments: { name: exposed('github', 'transcribe_audio') },
  });
  expect(hidden.isError).toBe(true);
});

it('bad input is a tool error the model can read: empty, huge or missing query, missing name, wrong arguments', async () => {
  gateway = await start({ tool_search: { results: 2, max_results: 3 } });
  const client = await gateway.connect();
  for (const query of ['', '   ', undefined, 42]) {
    const answer = await search(client, query);
    expect(answer.isError).toBe(true);
    expect(answer.content[0]!.text).toMatch(/"query" must say/);
  }
  // A pasted document is searched by its beginning, and answers like any search.
  const huge = `list the files in a directory ${'lorem ipsum dolor '.repeat(20_000)}`;
  const big = await search(client, huge);
  expect(big.isError).toBeUndefined();
  expect(big.structuredContent!.tools.map((t) => t.name)).toContain(exposed('filesystem', 'list_directory'));
  // The default count, and the most a search may ask for.
  expect(await found(client, 'file')).toHaveLength(2);
  expect(await found(client, 'file', 50)).toHaveLength(3);
  // Words that match nothing find nothing.
  expect(await found(client, 'zzzqqq xyzzy')).toEqual([]);

  const noName = await client.callTool({ name: 'call_tool', arguments: {} });
  expect(noName).toMatchObject({ isError: true, content: [{ text: '"name" must be a tool name from search_tools.' }] });
  const badArgs = await client.callTool({
    name: 'call_tool',
    arguments: { name: exposed('filesystem', 'list_directory'), arguments: ['/'] },
  });
  expect(badArgs).toMatchObject({ isError: true, content: [{ text: /"arguments" must be an object/ }] });
  const longName = await client.callTool({ name: 'describe_tool', arguments: { name: 'x'.repeat(10_000) } });
  expect((longName.content as { text: string }[])[0]!.text.length).toBeLessThan(200);
  expect(called).toEqual([]);
});

it('searches on the endpoints it is enabled on; the others list every tool of their view and know no search tool', async () => {
  gateway = await start({
    endpoints: { agents: { path: '/mcp/agents', servers: ['filesystem'] }, full: { path: '/mcp/full' } },
    tool_search: { endpoints: ['agents'] },
  });
  const agents = await gateway.connect({ path: '/mcp/agents' });
  const full = await gateway.connect({ path: '/mcp/full' });
  const plain = await gateway.connect();
  expect((await agents.listTools()).tools.map((t) => t.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
  // The endpoint's view holds the filesystem's tools only: search finds nothing else, nor calls it.
  expect(await found(agents, 'create an issue in the repository')).toEqual(
    expect.not.arrayContaining([expect.stringMatching(/^github__/)]),
  );
  expect(await found(agents, 'list the files in a directory')).toContain(exposed('filesystem', 'list_directory'));
  const outside = await agents.callTool({ name: 'call_tool', arguments: { name: exposed('github', 'create_issue') } });
  expect(outside.isError).toBe(true);

  const everything = [...corpusTools('github'), ...corpusTools('filesystem')].length;
  for (const client of [full, plain]) {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toHaveLength(everything);
    expect(names).not.toContain('search_tools');
    await expect(client.callTool({ name: 'search_tools', arguments: { query: 'file' } })).rejects.toThrow(
      /Unknown tool: search_tools/,
    );
  }
});

it('refuses at boot an endpoint it does not know', async () => {
  await expect(start({ tool_search: { endpoints: ['agnets'] } })).rejects.toThrow(
    /tool_search.endpoints: the gateway has no endpoint "agnets" \(it has: default\)/,
  );
});

it('refuses at boot a server named like the plugin, and an upstream tool named like a search tool', async () => {
  await expect(
    startTestGateway({ config: { tool_search: {} }, servers: { 'tool-search': servers.github } }),
  ).rejects.toThrow(/server "tool-search" has the name of the plugin "tool-search"/);
  await expect(
    startTestGateway({
      config: { tool_search: {}, proxy: { servers: [{ name: 'bare', type: 'in-process', prefix: '' }] } },
      servers: { bare: upstream('bare', [{ name: 'call_tool', inputSchema: { type: 'object' } }]) },
    }),
  ).rejects.toMatchObject({
    code: ErrorCodes.NAME_CLASH,
    message: /tool "call_tool" is exposed by "tool-search" and "bare"/,
  });
});
