/**
 * An upstream channel over MCP Streamable HTTP (2025-11-25): each request is a POST whose answer
 * is JSON or an event stream (which may carry progress and other messages before the response);
 * server-initiated messages come on a GET stream, reopened (with Last-Event-ID) if it drops; the
 * session ends with DELETE. A refused connection means the server is gone: the channel reports
 * itself lost and the kernel reconnects with backoff. A 404 on a session means the upstream forgot
 * it (it restarted) and did nothing with the request: the channel reports itself lost with
 * `UPSTREAM_SESSION_LOST`, and the kernel opens a new session and sends the request again. Every
 * exchange carries the server's credentials; a 401 gets a new OAuth 2 token and is sent once more
 * (`UpstreamCredentials`).
 *
 * A request of the 2026-07-28 era (its body carries the kernel's envelope) is a stateless
 * exchange of its own: its headers come from its body, it names no session, and an error status
 * whose body is a JSON-RPC error is that error (a 404 is the server's answer, not a forgotten
 * session). Such a server has no GET stream and no session to DELETE: the channel opens the first
 * only after the 2025 handshake, and sends the second only for a session it was given.
 */
import {
  type ChannelRequestOptions,
  ErrorCodes,
  GatewayError,
  isResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResponseMessage,
  type Logger,
  type RequestCancellation,
  type UpstreamChannel,
} from 'mcp-gateway';
import {
  modernRequestHeaders,
  readBody,
  readEventStream,
  type Exchange,
  type HttpClient,
  type HttpResponse,
  type UpstreamCredentials,
} from 'mcp-gateway/http';

/** GET streams that keep ending sooner than this after they opened are opened again with backoff, up to the max. */
const GET_RETRY_MS = 1000;
const GET_RETRY_MAX_MS = 30_000;
/** Wait before resuming a request's stream when the server gave no `retry:` advice. */
const RESUME_DELAY_MS = 100;
const DELETE_TIMEOUT_MS = 2000;

export class HttpChannel implements UpstreamChannel {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (error?: Error) => void;
  readonly oneExchangePerRequest = true;
  readonly #client: HttpClient;
  readonly #credentials: UpstreamCredentials;
  readonly #log: Logger;
  readonly #closing = new AbortController();
  #sessionId: string | undefined;
  #protocolVersion: string | undefined;
  #lastEventId: string | undefined;
  #lost = false;
  /** See `#postHeaders`; forgotten when the session or its protocol version changes. */
  #posting: Readonly<Record<string, string>> | undefined;

  /**
   * `client` is the server's connection pool and `credentials` its credentials, both shared by all
   * its channels; `resume`, an upstream session to continue (whose GET stream another replica may
   * still hold: the GET is retried until it is free).
   */
  constructor(client: HttpClient, credentials: UpstreamCredentials, logger: Logger, resume?: string) {
    this.#client = client;
    this.#credentials = credentials;
    this.#log = logger;
    this.#sessionId = resume;
    if (resume) void this.#listen();
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  async request(message: JSONRPCRequest, options: ChannelRequestOptions): Promise<JSONRPCResponseMessage> {
    const modern = modernRequestHeaders(message);
    const response = await this.#post(message, options.cancellation, options.headers, modern);
    if (message.method === 'initialize') {
      this.#sessionId = header(response, 'mcp-session-id');
      this.#posting = undefined;
    }
    const onMessage = (m: JSONRPCMessage) =>
      (options.onMessage ?? this.onmessage)?.(m as JSONRPCNotification | JSONRPCRequest);
    if (header(response, 'content-type')?.startsWith('text/event-stream')) {
      // Awaited here: returning the promise would cost the answer two more turns of the microtask queue.
      return await this.#responseFromStream(response, message, onMessage, options.cancellation);
    }
    const text = await readBody(response);
    const body = parseJson(text);
    const answer =
      findResponse(body, message.id) ?? (modern && response.statusCode >= 400 ? errorOf(body, message.id) : undefined);
    if (answer) return answer;
    throw new GatewayError(
      ErrorCodes.UPSTREAM_PROTOCOL,
      `upstream answered ${message.method} with HTTP ${response.statusCode} and no JSON-RPC response${text ? `: ${text.slice(0, 200)}` : ''}`,
      { data: { httpStatus: response.statusCode } },
    );
  }

  async send(message: JSONRPCNotification | JSONRPCResponseMessage): Promise<void> {
    const response = await this.#post(message, AbortSignal.timeout(10_000));
    const body = await readBody(response);
    if (response.statusCode >= 300) {
      throw new GatewayError(
        ErrorCodes.UPSTREAM_PROTOCOL,
        `upstream refused a message with HTTP ${response.statusCode}: ${body.slice(0, 200)}`,
      );
    }
    if ((message as JSONRPCNotification).method === 'notifications/initialized') void this.#listen();
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
    this.#posting = undefined;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    if (this.#sessionId && !this.#lost) {
      await this.#exchange({
        method: 'DELETE',
        headers: this.#sessionHeaders(),
        signal: AbortSignal.timeout(DELETE_TIMEOUT_MS),
      })
        .then((response) => response.body.discard())
        .catch(() => {}); // the upstream may be gone; its session will expire on its own
    }
  }

  /** `modern`: the headers of a 2026-07-28 request, which is sent outside the session. */
  async #post(
    message: JSONRPCMessage,
    signal: Exchange['signal'],
    headers?: Readonly<Record<string, string>>,
    modern?: Readonly<Record<string, string>>,
  ): Promise<HttpResponse> {
    let response: HttpResponse;
    try {
      response = await this.#exchange({
        method: 'POST',
        headers: modern ? { ...headers, ...postHeaders, ...modern } : { ...headers, ...this.#postHeaders() },
        body: JSON.stringify(message),
        signal,
      });
    } catch (error) {
      if (!signal.aborted && isConnectionFailure(error)) this.#lose(error as Error);
      throw error;
    }
    if (response.statusCode === 404 && this.#sessionId && !modern) {
      response.body.discard();
      const error = sessionLost();
      this.#lose(error);
      throw error;
    }
    return response;
  }

  /**
   * The response to `request` from its event stream. A server may end the stream before answering
   * (SSE polling, SEP-1699): then the rest of that stream is fetched with GET and Last-Event-ID,
   * after the server's `retry:` delay, until the response comes.
   */
  async #responseFromStream(
    first: HttpResponse,
    request: JSONRPCRequest,
    onMessage: (m: JSONRPCMessage) => void,
    signal: RequestCancellation,
  ): Promise<JSONRPCResponseMessage> {
    let lastEventId: string | undefined;
    let retryMs = RESUME_DELAY_MS;
    for (let response = first; ; ) {
      let answer: JSONRPCResponseMessage | undefined;
      try {
        // The answer is passed on as soon as it is read, not when the server ends the stream (the
        // end comes in a later chunk); the rest of the stream is still read, and the connection
        // reused. A stream cut after its answer loses nothing.
        answer = await new Promise<JSONRPCResponseMessage | undefined>((resolve, reject) => {
          readEventStream(response, {
            onMessage: (message) =>
              isResponse(message) && message.id === request.id ? resolve(message) : onMessage(message),
            onEventId: (id) => (lastEventId = id),
            onRetry: (ms) => (retryMs = ms),
            onInvalid: (data) => this.#log.debug({ data: data.slice(0, 200) }, 'ignored a non-JSON event'),
          }).then(() => resolve(undefined), reject);
        });
      } catch (error) {
        if (lastEventId === undefined) throw streamCut(request, error);
      }
      if (answer) return answer;
      if (lastEventId === undefined) {
        throw new GatewayError(
          ErrorCodes.UPSTREAM_PROTOCOL,
          `the upstream's stream for ${request.method} ended without a response`,
        );
      }
      await delay(retryMs, signal);
      try {
        response = await this.#exchange({
          method: 'GET',
          headers: { ...this.#sessionHeaders(), accept: 'text/event-stream', 'last-event-id': lastEventId },
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        if (isConnectionFailure(error)) this.#lose(error as Error);
        throw streamCut(request, error);
      }
      if (response.statusCode !== 200) {
        response.body.discard();
        // Not the request's to send again: the server may have done it before it forgot the session.
        if (response.statusCode === 404) this.#lose(sessionLost());
        throw new GatewayError(
          ErrorCodes.UPSTREAM_PROTOCOL,
          `resuming the stream of ${request.method} got HTTP ${response.statusCode}`,
        );
      }
    }
  }

  /**
   * Keep a GET stream open for server-initiated messages, for as long as the channel lives. It is
   * also how a server that went away is noticed between requests: a stream that ends or is cut is
   * opened again at once (or after the server's `retry:` advice), so that a refused connection, or
   * a 404 (the server restarted and forgot the session), loses the channel there and then. Only a
   * stream that keeps ending as soon as it opened (a server that holds none open) backs off.
   */
  async #listen(): Promise<void> {
    let quickEnds = 0;
    while (!this.#closing.signal.aborted && !this.#lost) {
      const openedAt = Date.now();
      let retryMs = 0;
      try {
        const response = await this.#openStream();
        if (!response) return;
        await readEventStream(response, {
          onMessage: (message) => this.onmessage?.(message),
          onEventId: (id) => (this.#lastEventId = id),
          onRetry: (ms) => (retryMs = ms),
        });
        this.#log.debug('upstream GET stream ended');
      } catch (error) {
        if (this.#closing.signal.aborted || this.#lost) return;
        this.#log.debug({ err: error }, 'upstream GET stream interrupted');
      }
      quickEnds = retryMs === 0 && Date.now() - openedAt < GET_RETRY_MS ? quickEnds + 1 : 0;
      const waitMs = quickEnds < 2 ? retryMs : Math.min(GET_RETRY_MS * 2 ** (quickEnds - 2), GET_RETRY_MAX_MS);
      if (waitMs > 0) {
        this.#log.debug({ retryInMs: waitMs }, 'reopening the upstream GET stream later');
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
      }
    }
  }

  /**
   * The GET stream's response; undefined when there is none to read: the server offers none
   * (405), or the channel is lost (a refused connection, a forgotten session).
   */
  async #openStream(): Promise<HttpResponse | undefined> {
    let response: HttpResponse;
    try {
      response = await this.#exchange({
        method: 'GET',
        headers: {
          ...this.#sessionHeaders(),
          accept: 'text/event-stream',
          ...(this.#lastEventId ? { 'last-event-id': this.#lastEventId } : {}),
        },
        signal: this.#closing.signal,
      });
    } catch (error) {
      // A kept-alive socket closed just as it was reused proves nothing: the loop tries a new one.
      if (
        this.#closing.signal.aborted ||
        !isConnectionFailure(error) ||
        (error as NodeJS.ErrnoException).code === 'UND_ERR_SOCKET'
      )
        throw error;
      this.#log.info({ err: error }, 'the upstream refused the GET stream: the connection is lost');
      return void this.#lose(error as Error);
    }
    if (response.statusCode === 200) return response;
    response.body.discard();
    if (response.statusCode === 405) return undefined;
    if (response.statusCode === 404 && this.#sessionId) {
      this.#log.info('the upstream no longer knows the session of its GET stream');
      return void this.#lose(sessionLost());
    }
    throw new Error(`GET stream answered HTTP ${response.statusCode}`);
  }

  /** An exchange with the server's headers and credentials (and one resend after a 401). */
  #exchange(exchange: Exchange): Promise<HttpResponse> {
    return this.#credentials.exchange(this.#client, exchange);
  }

  /**
   * The headers of every POST of this session (content type, accept, the session's own), made
   * again only when the session or its protocol version changes: building them per request was a
   * measurable cost on the way to the upstream.
   */
  #postHeaders(): Readonly<Record<string, string>> {
    this.#posting ??= this.#sessionHeaders({ ...postHeaders });
    return this.#posting;
  }

  /** The session's headers, added to `headers` (which they override). */
  #sessionHeaders(headers: Record<string, string> = {}): Record<string, string> {
    if (this.#sessionId) headers['mcp-session-id'] = this.#sessionId;
    if (this.#protocolVersion) headers['mcp-protocol-version'] = this.#protocolVersion;
    return headers;
  }

  #lose(error: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#closing.abort();
    this.onclose?.(error);
  }
}

/** The headers of every POST, besides a session's own or those a 2026-07-28 request derives from its body. */
const postHeaders: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

const header = (response: HttpResponse, name: string): string | undefined => {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function findResponse(body: unknown, id: JSONRPCRequest['id']): JSONRPCResponseMessage | undefined {
  const candidates = Array.isArray(body) ? body : [body];
  return candidates.find(
    (m): m is JSONRPCResponseMessage =>
      typeof m === 'object' && m !== null && isResponse(m as JSONRPCMessage) && (m as { id: unknown }).id === id,
  );
}

/** A JSON-RPC error body, whatever id it names (a server that refused a request before reading it names none), as the error response to `id`. */
function errorOf(body: unknown, id: JSONRPCRequest['id']): JSONRPCResponseMessage | undefined {
  const error = (body as { error?: unknown } | null)?.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error?.code !== 'number' || typeof error.message !== 'string') return undefined;
  return { jsonrpc: '2.0', id, error } as JSONRPCResponseMessage;
}

const delay = (ms: number, signal: RequestCancellation) =>
  new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stopListening = signal.onAbort((reason) => (clearTimeout(timer), reject(reason)));
    if (!signal.aborted) timer = setTimeout(() => (stopListening(), resolve()), ms);
  });

const sessionLost = () =>
  new GatewayError(ErrorCodes.UPSTREAM_SESSION_LOST, 'the upstream no longer knows this session');

function streamCut(request: JSONRPCRequest, cause: unknown): GatewayError {
  return new GatewayError(
    ErrorCodes.UPSTREAM_UNAVAILABLE,
    `the upstream closed the connection while answering ${request.method}`,
    { cause },
  );
}

function isConnectionFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // UND_ERR_SOCKET: the connection closed under a request (the server process went away).
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET'
  );
}
