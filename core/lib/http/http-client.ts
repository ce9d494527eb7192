/**
 * HTTP exchanges with one upstream over a keep-alive connection pool: undici's `Pool`, the
 * Node.js project's own HTTP/1.1 client. It costs less CPU per call than `node:http`, on a path
 * where the gateway adds every microsecond to each call, and far less than `fetch`; and every
 * exchange can carry its own headers (request ids). Figures: core/README.md, "Measured costs".
 */
import { createRequire } from 'node:module';
import type { Dispatcher, Pool } from 'undici';
import { onAbort, type StopSignal } from '../cancellation.ts';
import { IncomingBody, type ResponseBody } from './response-body.ts';

export interface Exchange {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Another URL on the same origin (the pool is per origin); default: the client's URL. */
  readonly url?: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Aborts the exchange: before the response, its promise rejects; after, its body's reader gets the error. */
  readonly signal: StopSignal;
}

export interface HttpResponse {
  readonly statusCode: number;
  /** Names in lower case; a repeated header is an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Read it (`readBody`, `readEventStream`) or `discard()` it, so that its connection is reused. */
  readonly body: ResponseBody;
}

let loadedPool: typeof Pool | undefined;

/**
 * undici's pool, from its own file, on first use: undici's index loads every API it has (fetch,
 * WebSocket, caches), several times what the pool costs a start, and a gateway without HTTP
 * upstreams needs none of it. (The version is pinned in package.json for this path.)
 */
function poolClass(): typeof Pool {
  loadedPool ??= createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof Pool;
  return loadedPool;
}

export class HttpClient {
  readonly url: URL;
  #pool: Pool | undefined;

  constructor(url: URL) {
    this.url = url;
  }

  /** Resolves with the response as soon as its headers arrive; the caller reads (or discards) the body. */
  exchange(exchange: Exchange): Promise<HttpResponse> {
    const { signal } = exchange;
    if (signal.aborted) return Promise.reject(signal.reason);
    const url = exchange.url ?? this.url;
    // No timeouts of the pool's own: an upstream's event stream may stay quiet for as long as it
    // likes, and a tool may take long to answer; the kernel's per-request timeout and heartbeat decide.
    const Pool = poolClass();
    this.#pool ??= new Pool(this.url.origin, { headersTimeout: 0, bodyTimeout: 0 });
    // Not resent after a connection error: the pool drops idle connections before the keep-alive
    // timeout the server announces, so a request seldom meets one the server just closed, and a
    // POST the server may have run is never sent twice.
    return new Promise((resolve, reject) => {
      this.#pool!.dispatch(
        { path: url.pathname + url.search, method: exchange.method, headers: exchange.headers, body: exchange.body },
        exchangeHandler(signal, resolve, reject),
      );
    });
  }

  close(): void {
    void this.#pool?.destroy().catch(() => {});
  }
}

/**
 * undici's handler API rather than its `request`: the response's chunks go straight to whoever
 * reads them, where `request` wraps every response in a stream and an async resource, which
 * costs CPU on every exchange (core/README.md, "Measured costs").
 */
function exchangeHandler(
  signal: StopSignal,
  resolve: (response: HttpResponse) => void,
  reject: (error: unknown) => void,
): Dispatcher.DispatchHandler {
  let body: IncomingBody | undefined;
  let transfer: Dispatcher.DispatchController | undefined;
  const done = onAbort(signal, (reason) => transfer?.abort(reason as Error));
  return {
    onRequestStart(controller) {
      transfer = controller;
      if (signal.aborted) controller.abort(signal.reason);
    },
    onResponseStart(controller, statusCode, headers) {
      if (statusCode < 200) return; // informational: the response follows
      body = new IncomingBody(controller);
      resolve({ statusCode, headers, body });
    },
    onResponseData(_controller, chunk) {
      body!.push(chunk);
    },
    onResponseEnd() {
      done();
      body!.finish();
    },
    onResponseError(_controller, error) {
      done();
      const reason = signal.aborted ? signal.reason : error;
      if (body) body.fail(reason);
      else reject(reason);
    },
  };
}

/** The whole body as text; rejects if the exchange is aborted, or the response is cut. */
export function readBody(response: HttpResponse): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.body.read({
      data: (chunk) => chunks.push(chunk),
      end: () => resolve(Buffer.concat(chunks).toString('utf8')),
      error: reject,
    });
  });
}
