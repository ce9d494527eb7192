/**
 * HTTP exchanges with one upstream over a keep-alive connection pool (a `node:http` Agent):
 * cheaper per call than `fetch`, and every exchange can carry its own headers (request ids).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface Exchange {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Another URL on the same origin (the pool is per origin); default: the client's URL. */
  readonly url?: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

export class HttpClient {
  readonly url: URL;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(url: URL) {
    this.url = url;
    const secure = url.protocol === 'https:';
    this.#agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.#request = secure ? https.request : http.request;
  }

  /** Resolves with the response as soon as its headers arrive; the caller reads (or discards) the body. */
  exchange(exchange: Exchange): Promise<IncomingMessage> {
    return this.#attempt(exchange, true);
  }

  close(): void {
    this.#agent.destroy();
  }

  #attempt(exchange: Exchange, mayRetry: boolean): Promise<IncomingMessage> {
    const { signal } = exchange;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...exchange.headers };
      if (exchange.body !== undefined) headers['content-length'] = Buffer.byteLength(exchange.body);
      const request = this.#request(exchange.url ?? this.url, { method: exchange.method, headers, agent: this.#agent, signal }, resolve);
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as we reused it: the request never reached
        // the server, so sending it again is safe (the retry Node's documentation recommends).
        if (mayRetry && request.reusedSocket && error.code === 'ECONNRESET') {
          this.#attempt(exchange, false).then(resolve, reject);
        } else {
          reject(signal.aborted ? signal.reason : error);
        }
      });
      request.end(exchange.body);
    });
  }
}

/** The whole body as text; rejects if the signal aborts first. */
export function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete) reject(new Error('the upstream closed the response early'));
    });
  });
}
