/**
 * The upstream of the tool-search sections: many MCP servers with many realistic tools
 * (scripts/bench/many-tools.ts) in one process, the SDK's low-level `Server` over Streamable HTTP
 * on loopback, server n at path `/s<n>` (prints `{"port": N}` once listening). A tool's call
 * echoes its arguments as JSON.
 *   tsx scripts/bench/many-tools-server.ts [--servers 20] [--tools 200] [--port 0]
 *
 * `POST /generation` moves every server to the next generation of its tools (every name and
 * description changes) and sends `notifications/tools/list_changed` on every session's GET
 * stream; `POST /generation?server=n`, server n alone. It answers `{"notified": n}`, the
 * sessions told.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { serverTools, type Tool } from './many-tools.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    servers: { type: 'string', default: '20' },
    tools: { type: 'string', default: '200' },
  },
});
const serverCount = Number(values.servers);
const toolCount = Number(values.tools);

/** Per server, its generation, and its tools made once per generation (10,000 tools take a while). */
const generations = new Map<number, number>();
const catalogues = new Map<number, Tool[]>();
const toolsOf = (server: number) => {
  let tools = catalogues.get(server);
  if (!tools) catalogues.set(server, (tools = serverTools(server, toolCount, generations.get(server) ?? 0)));
  return tools;
};

/** Every session's server (by its number), to tell them that their tools changed. */
const live = new Map<Server, number>();

function createMcpServer(server: number): Server {
  const mcp = new Server(
    { name: `many-tools-s${server}`, version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolsOf(server) }));
  mcp.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
    if (!toolsOf(server).some((tool) => tool.name === params.name))
      return { isError: true, content: [{ type: 'text', text: `unknown tool ${params.name}` }] };
    return { content: [{ type: 'text', text: JSON.stringify(params.arguments ?? {}) }] };
  });
  return mcp;
}

const sessions = new Map<string, StreamableHTTPServerTransport>();
const http = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/generation') {
    const only = url.searchParams.get('server');
    const changed = only === null ? Array.from({ length: serverCount }, (_, i) => i + 1) : [Number(only)];
    for (const server of changed) {
      generations.set(server, (generations.get(server) ?? 0) + 1);
      catalogues.delete(server);
    }
    const notified = [...live].filter(([, server]) => changed.includes(server)).map(([mcp]) => mcp);
    await Promise.all(notified.map((mcp) => mcp.sendToolListChanged().catch(() => {})));
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ notified: notified.length }));
  }
  const server = Number(/^\/s(\d+)$/.exec(url.pathname)?.[1]);
  if (!(server >= 1 && server <= serverCount)) return void res.writeHead(404).end();
  const id = req.headers['mcp-session-id'] as string | undefined;
  let transport = id ? sessions.get(id) : undefined;
  if (!transport) {
    if (id) return void res.writeHead(404).end();
    const mcp = createMcpServer(server);
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sid) => void (sessions.set(sid, created), live.set(mcp, server)),
      onsessionclosed: (sid) => void (sessions.delete(sid), live.delete(mcp)),
    });
    await mcp.connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res);
});
http.listen(Number(values.port), '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
