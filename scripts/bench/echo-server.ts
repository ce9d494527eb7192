/**
 * The benchmark's upstream: the SDK's low-level `Server` with tools `echo` and `add` (plus
 * `--tools N` dummy tools), over Streamable HTTP on loopback (prints `{"port": N}` once listening)
 * or, with `--stdio`, over stdio (the same tools, so that "stdio upstream through the gateway" and
 * "the SDK's own HTTP server" compare the same work).
 *   tsx scripts/bench/echo-server.ts [--port 0] [--tools 0] [--stdio]
 *
 * Over HTTP every path is the same server, so one process can stand for many upstreams
 * (`/mcp/1`, `/mcp/2`, ...): each gateway upstream still gets its own sessions and catalogue.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    tools: { type: 'string', default: '0' },
    stdio: { type: 'boolean', default: false },
  },
});

const tools = [
  {
    name: 'echo',
    description: 'Echoes its text',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  },
  {
    name: 'add',
    description: 'Adds a and b',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } },
  },
  ...Array.from({ length: Number(values.tools) }, (_, i) => ({
    name: `dummy_${i}`,
    description: `Dummy tool number ${i}, for catalogue benchmarks`,
    inputSchema: { type: 'object', properties: { value: { type: 'string' } } },
  })),
];

function createMcpServer(): Server {
  const server = new Server({ name: 'bench-echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
    const args = (params.arguments ?? {}) as Record<string, unknown>;
    if (params.name === 'add') return { content: [{ type: 'text', text: String(Number(args.a) + Number(args.b)) }] };
    return { content: [{ type: 'text', text: String(args.text ?? '') }] };
  });
  return server;
}

if (values.stdio) {
  // stdout is the protocol channel here, so nothing else may be printed on it.
  await createMcpServer().connect(new StdioServerTransport());
} else {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const id = req.headers['mcp-session-id'] as string | undefined;
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id) return void res.writeHead(404).end();
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sid) => void sessions.set(sid, created),
        onsessionclosed: (sid) => void sessions.delete(sid),
      });
      await createMcpServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  http.listen(Number(values.port), '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}
