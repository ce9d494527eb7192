/**
 * The metrics on a port of their own (`metrics.port`): a bare node:http server that answers the
 * metrics path and nothing else, started in setup and closed at shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, GatewayError, type Logger } from 'mcp-gateway';
import { unauthorized, type Scrape, type ScrapeCheck } from './endpoint.ts';

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly scrape: Scrape;
  readonly allowed: ScrapeCheck;
  readonly logger: Logger;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenForScrapes(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port, path, scrape, allowed, logger } = options;
  const server: Server = createServer((request, response) => {
    const answer = (status: number, headers: Record<string, string>, body: string) =>
      response.writeHead(status, headers).end(body);
    const text = { 'content-type': 'text/plain; charset=utf-8' };
    if (new URL(request.url ?? '/', 'http://metrics').pathname !== path) return answer(404, text, 'Not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return answer(405, { ...text, allow: 'GET, HEAD' }, 'Method not allowed\n');
    if (!allowed(request.headers.authorization))
      return answer(unauthorized.status, unauthorized.headers, unauthorized.body);
    scrape.exposition().then(
      (body) => answer(200, { 'content-type': scrape.contentType }, request.method === 'HEAD' ? '' : body),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        answer(500, text, 'Internal server error\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new GatewayError(
          ErrorCodes.LISTEN,
          `cannot listen on ${host}:${port} for metrics: ${error.code ?? error.message} (free the port, or choose another metrics.port)`,
          {
            cause: error,
          },
        ),
      ),
    );
    server.listen(port, host);
  });
  const actual = (server.address() as AddressInfo).port;
  logger.info({ address: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${path}` }, 'metrics listening');
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
