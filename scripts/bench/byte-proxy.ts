/**
 * The cheapest proxy Node can be, for reference: bytes piped both ways over a keep-alive pool,
 * nothing parsed. What it keeps of the direct throughput is the ceiling for any Node process in
 * the path on this machine; the gateway, which reads every message, is measured against it.
 *   tsx scripts/bench/byte-proxy.ts --target http://127.0.0.1:PORT   (prints `{"port": N}` once listening)
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { target: { type: 'string' } } });
if (!values.target) throw new Error('usage: byte-proxy.ts --target <origin>');
const target = new URL(values.target);
const agent = new Agent({ keepAlive: true });

const server = createServer((incoming, outgoing) => {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      path: incoming.url,
      method: incoming.method,
      headers: incoming.headers,
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on('error', () => outgoing.destroy());
  incoming.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
