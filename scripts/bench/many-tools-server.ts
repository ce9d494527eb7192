/**
 * The upstream of the tool-search sections: many MCP servers with many realistic tools
 * (scripts/bench/many-tools.ts) in one process, the SDK's low-level `Server` over Streamable HTTP
 * on loopback, server n at path `/s<n>` (prints `{"port": N}` once listening). A tool's call
 * echoes its arguments as JSON.
 *   tsx scripts/bench/many-tools-server.ts [--servers 20] [--tools 200] [--port 0]
 *
 * `POST /generation` moves every server to the next generation of its tools (every name and
 * description changes) and sends `notifications/tools/list_changed` on every session's GET
 * stream; it answers `{"generation": g, "notified": n}`.
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

let generation = 0;
/** Per server, this generation's tools, made once per generation (10,000 tools take a while). */
let catalogues = new Map<number, Tool[]>();
const toolsOf = (server: number) => {
  let tools = catalogues.get(server);
  if (!tools) catalogues.set(server, (tools = serverTools(server, toolCount, generation)));
  return tools;
};

/** Every session's server, to tell each of them that its tools changed. */
const live = new Set<Server>();

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
    generation++;
    catalogues = new Map();
    const notified = [...live];
    await Promise.all(notified.map((mcp) => mcp.sendToolListChanged().catch(() => {})));
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ generation, notified: notified.length }));
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
      onsessioninitialized: (sid) => void (sessions.set(sid, created), live.add(mcp)),
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
