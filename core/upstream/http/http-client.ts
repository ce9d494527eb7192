/**
 * HTTP exchanges with one upstream over a keep-alive connection pool: undici's `Pool`, the
 * Node.js project's own HTTP/1.1 client. Its `request` costs less CPU per call than `node:http`
 * (measured: 40-60 µs less per tool call, on a path where the gateway adds every microsecond to
 * each call) and far less than `fetch`, and every exchange can carry its own headers (request ids).
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';

export interface Exchange {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Another URL on the same origin (the pool is per origin); default: the client's URL. */
  readonly url?: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** Names in lower case; a repeated header is an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Read it (`readBody`, `readEventStream`) or discard it (`resume()`), so that its connection is reused. */
  readonly body: Readable;
}

interface Undici {
  readonly Pool: typeof Pool;
  readonly request: (this: Pool, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
}

let undici: Undici | undefined;

/**
 * undici's pool and its `request`, from their own files, on first use: its index loads every API
 * it has (fetch, WebSocket, caches), ~70 ms of a start where these two take ~20, and a gateway
 * without HTTP upstreams needs neither. (The version is pinned in package.json for these paths.)
 */
function loadUndici(): Undici {
  if (!undici) {
    const require = createRequire(import.meta.url);
    undici = { Pool: require('undici/lib/dispatcher/pool.js'), request: require('undici/lib/api/api-request.js') };
  }
  return undici;
}

export class HttpClient {
  readonly url: URL;
  #pool: Pool | undefined;

  constructor(url: URL) {
    this.url = url;
  }

  /** Resolves with the response as soon as its headers arrive; the caller reads (or discards) the body. */
  async exchange(exchange: Exchange): Promise<HttpResponse> {
    const { signal } = exchange;
    signal.throwIfAborted();
    const url = exchange.url ?? this.url;
    const { Pool, request } = loadUndici();
    // No timeouts of the pool's own: an upstream's event stream may stay quiet for as long as it
    // likes, and a tool may take long to answer; the kernel's per-request timeout and heartbeat decide.
    this.#pool ??= new Pool(this.url.origin, { headersTimeout: 0, bodyTimeout: 0 });
    // Not resent after a connection error: the pool drops idle connections before the keep-alive
    // timeout the server announces, so a request seldom meets one the server just closed, and a
    // POST the server may have run is never sent twice.
    try {
      return await request.call(this.#pool, { path: url.pathname + url.search, method: exchange.method, headers: exchange.headers, body: exchange.body, signal });
    } catch (error) {
      throw signal.aborted ? signal.reason : error;
    }
  }

  close(): void {
    void this.#pool?.destroy().catch(() => {});
  }
}

/** The whole body as text; rejects if the signal aborts first, or the response is cut. */
export function readBody(response: HttpResponse): Promise<string> {
  const { body } = response;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.on('end', () => ((ended = true), resolve(Buffer.concat(chunks).toString('utf8'))));
    body.on('error', reject);
    body.on('close', () => {
      if (!ended) reject(new Error('the upstream closed the response early'));
    });
  });
}
