/**
 * The benchmark's upstream of the 2026-07-28 era: tool `echo` over Streamable HTTP on loopback,
 * stateless (the envelope in `params._meta`, no sessions), printing `{"port": N}` once listening.
 *   tsx scripts/bench/modern-echo-server.ts [--port 0] [--raw]
 *
 * By default it is the SDK v2's own serving (`createMcpHandler` from `@modelcontextprotocol/server`,
 * its low-level `Server` made per request as the handler asks, on `@hono/node-server`), the modern
 * counterpart of echo-server.ts. With `--raw` it is a hand-written answerer on `node:http`: each
 * body parsed and answered with one JSON body and no validation at all, for measuring what is in
 * front of it with the least upstream cost.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, raw: { type: 'boolean', default: false } },
});

const version = '2026-07-28';
const serverInfo = { name: 'bench-modern-echo', version: '2.0.0' };
const tools = [
  {
    name: 'echo',
    description: 'Echoes its text',
    inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } },
  },
];
const echoed = (args: Record<string, unknown> | undefined) => ({
  content: [{ type: 'text' as const, text: String(args?.text ?? '') }],
});

const listening = (port: number) => process.stdout.write(`${JSON.stringify({ port })}\n`);

if (values.raw) {
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const results: Record<string, (params: Record<string, unknown> | undefined) => unknown> = {
    'server/discover': () => ({
      resultType: 'complete',
      supportedVersions: [version],
      capabilities: { tools: {} },
      serverInfo,
    }),
    'tools/list': () => ({ resultType: 'complete', tools }),
    'tools/call': (params) => ({
      resultType: 'complete',
      ...echoed(params?.arguments as Record<string, unknown> | undefined),
    }),
  };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      let message: { id?: unknown; method?: string; params?: Record<string, unknown> };
      try {
        message = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return answer(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      }
      if (message.id === undefined) return void res.writeHead(202).end();
      const result = message.method && results[message.method];
      if (!result)
        return answer(res, 404, {
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32601, message: `Method not found: ${message.method}` },
        });
      answer(res, 200, { jsonrpc: '2.0', id: message.id, result: result(message.params) });
    });
  });
  http.listen(Number(values.port), '127.0.0.1', () => {
    const address = http.address();
    listening(typeof address === 'object' && address ? address.port : 0);
  });
} else {
  const makeServer = () => {
    const server = new Server(serverInfo, { capabilities: { tools: {} } });
    server.setRequestHandler('tools/list', () => ({ tools }));
    server.setRequestHandler('tools/call', (request) => echoed(request.params.arguments));
    return server;
  };
  const handler = createMcpHandler(makeServer, { legacy: 'reject' });
  const server = serve(
    { fetch: (request) => handler.fetch(request), port: Number(values.port), hostname: '127.0.0.1' },
    (info) => listening(info.port),
  );
  process.on('SIGTERM', () => {
    void handler.close();
    server.close(() => process.exit(0));
  });
}
