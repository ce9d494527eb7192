/**
 * A load balancer in front of one HTTP server at a time, for blue/green switches: `switchTo`
 * sends every later request to another server. Requests in flight finish where they started; open
 * event streams (GET) are cut, as the old server's end would cut them, unless told to stay.
 */
import { createServer, request, type ServerResponse } from 'node:http';

export interface SwitchingProxy {
  readonly url: string;
  /** New requests go to `port` from now on; `keepStreams` leaves the old server's GET streams open. */
  switchTo(port: number, options?: { keepStreams?: boolean }): void;
}

/** Headers of one connection, not of the exchange: never forwarded. */
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding']);

export async function switchingProxy(port: number, cleanup: (step: () => unknown) => void): Promise<SwitchingProxy> {
  let target = port;
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const forwarded = request(
      { host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !hopByHop.has(name)));
        res.writeHead(answer.statusCode!, headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.once('close', () => {
      streams.delete(res);
      if (!res.writableFinished) forwarded.destroy();
    });
    if (req.method === 'GET') streams.add(res);
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    switchTo(port, options = {}) {
      target = port;
      if (!options.keepStreams) for (const stream of streams) stream.destroy();
    },
  };
}
