/**
 * The MCP client side of one upstream connection, written directly on a channel: request ids,
 * timeouts, cancellation both ways, the `initialize` handshake (or, with a server of the
 * 2026-07-28 era, `server/discover` and an envelope on every request), paging through lists, and
 * the server-to-client requests the upstream makes (relayed to a downstream peer, the answer sent
 * back). Results pass through as received (no schema re-validation), so nothing the upstream
 * sends is lost; an upstream's JSON-RPC error is rethrown as an `RpcError` with its code, message
 * and data intact.
 */
import { Cancellation, onAbort, type StopSignal } from '../../lib/cancellation.ts';
import { ErrorCodes, GatewayError, isSessionLost, RpcCodes, RpcError } from '../../kernel/errors.ts';
import {
  LATEST_PROTOCOL_VERSION,
  isErrorResponse,
  isRequest,
  type ClientCapabilities,
  type Implementation,
  type InitializeResult,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type RequestId,
} from '../../kernel/protocol.ts';
import { envelopeMeta, META } from './envelope.ts';
import type { DownstreamPeer } from './peer.ts';
import type { ChannelRequestOptions, UpstreamChannel } from '../../kernel/transport.ts';

export interface UpstreamRequestOptions {
  /** The caller's signal (client cancellation, shutdown). */
  signal?: StopSignal;
  /** Overrides the server's timeout for this request. */
  timeoutMs?: number;
  headers?: Readonly<Record<string, string>>;
  /**
   * Where the upstream's messages about this request go (progress, logs, its own requests); its
   * client is the one a 2026-07-28 request's envelope names.
   */
  peer?: DownstreamPeer;
  /** The caller's logging level, which a 2026-07-28 request carries in its envelope. */
  logLevel?: string;
}

export interface UpstreamClientHandlers {
  /** A notification that is not about a request in flight (or, with `peer`, about one). */
  onNotification(notification: JSONRPCNotification, peer: DownstreamPeer | undefined): void;
  /** The peer for a server-to-client request that came outside any request of ours. */
  peerFor(request: JSONRPCRequest): DownstreamPeer | undefined;
  /**
   * The server no longer knows this client's session, so it did nothing with a request
   * (`UPSTREAM_SESSION_LOST`): the client of a new session to send it once more on, or undefined
   * to fail it.
   */
  renewed?(): UpstreamClient | undefined | Promise<UpstreamClient | undefined>;
}

type Params = Record<string, unknown> | undefined;
type Result = Record<string, unknown>;

/** Lists longer than this many pages are assumed to be a cursor loop in the upstream. */
const MAX_PAGES = 1000;

export class UpstreamClient {
  readonly server: string;
  readonly timeoutMs: number;
  /**
   * What the server said of itself: its `initialize` result, or for a server of the 2026-07-28
   * era the same fields from its `server/discover` answer.
   */
  initializeResult: InitializeResult | undefined;
  /** Set for a server of the 2026-07-28 era: the version and the identity every request's envelope carries by default. */
  #modern: { readonly version: string; readonly clientInfo: Implementation } | undefined;
  readonly #channel: UpstreamChannel;
  readonly #handlers: UpstreamClientHandlers;
  /** Server-to-client requests relayed downstream, by the upstream's id: cancelled with it. */
  readonly #relayed = new Map<RequestId, AbortController>();
  #nextId = 1;

  constructor(channel: UpstreamChannel, server: string, timeoutMs: number, handlers: UpstreamClientHandlers) {
    this.#channel = channel;
    this.server = server;
    this.timeoutMs = timeoutMs;
    this.#handlers = handlers;
    channel.onmessage = (message) => this.#receive(message, undefined);
  }

  get channel(): UpstreamChannel {
    return this.#channel;
  }

  async initialize(clientInfo: Implementation, capabilities: ClientCapabilities, options: UpstreamRequestOptions = {}) {
    const result = (await this.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities, clientInfo },
      options,
    )) as InitializeResult;
    if (typeof result.protocolVersion !== 'string' || typeof result.capabilities !== 'object') {
      throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `upstream ${this.server} sent an invalid initialize result`);
    }
    this.#channel.setProtocolVersion?.(result.protocolVersion);
    await this.#channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    this.initializeResult = result;
    return result;
  }

  /**
   * `server/discover`, with an envelope of `version` naming the gateway (no capabilities): the
   * era probe, and how a server of the 2026-07-28 era tells what it offers. Its id is a string,
   * outside the numbers of the requests that follow, as the SDK's probe's is.
   */
  discover(version: string, clientInfo: Implementation, options: UpstreamRequestOptions = {}): Promise<Result> {
    const _meta = { [META.protocolVersion]: version, [META.clientCapabilities]: {}, [META.clientInfo]: clientInfo };
    return this.#request('server/discover', { _meta }, options, false, `discover-${this.#nextId++}`);
  }

  /**
   * Speak the 2026-07-28 era from now on: no session; every request carries an envelope of
   * `version` (naming the caller, or the gateway for its own requests); `discovered` is the
   * server's `server/discover` result.
   */
  adopt(version: string, discovered: Result, clientInfo: Implementation): void {
    this.#modern = { version, clientInfo };
    const meta = discovered._meta as Record<string, unknown> | undefined;
    this.initializeResult = {
      protocolVersion: version,
      capabilities: discovered.capabilities as InitializeResult['capabilities'],
      serverInfo: (meta?.[META.serverInfo] ??
        discovered.serverInfo ?? { name: this.server, version: '' }) as Implementation,
      ...(typeof discovered.instructions === 'string' && { instructions: discovered.instructions }),
    };
  }

  /** Whether the server speaks the 2026-07-28 era on this client (see `adopt`). */
  get modern(): boolean {
    return this.#modern !== undefined;
  }

  /** Continue an upstream session initialized elsewhere (another replica): its handshake's result, no handshake. */
  resume(result: InitializeResult): void {
    this.#channel.setProtocolVersion?.(result.protocolVersion);
    this.initializeResult = result;
  }

  request(method: string, params: Params, options: UpstreamRequestOptions = {}): Promise<Result> {
    return this.#request(method, params, options, false);
  }

  async #request(
    method: string,
    params: Params,
    options: UpstreamRequestOptions,
    resent: boolean,
    id: RequestId = this.#nextId++,
  ): Promise<Result> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    // One cancellation, one timer and one listener per request: `AbortSignal.timeout` and
    // `AbortSignal.any` cost several times as much on a path every tool call takes, and so does
    // making an AbortSignal at all (see Cancellation).
    const cancellation = new Cancellation();
    let timedOut = false;
    // An infinite timeout is a stream meant to stay open (`subscriptions/listen`).
    const timer =
      timeoutMs === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            cancellation.abort();
          }, timeoutMs);
    const unfollow = options.signal && onAbort(options.signal, (reason) => cancellation.abort(reason));
    const modern = this.#modern;
    const sent = modern
      ? { ...params, _meta: envelopeMeta(modern.version, modern.clientInfo, params, options) }
      : params;
    const message: JSONRPCRequest =
      sent === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params: sent };
    const { peer } = options;
    let response;
    try {
      response = await this.#channel.request(
        message,
        new ChannelRequest(cancellation, options.headers, (related) => this.#receive(related, peer)),
      );
    } catch (error) {
      if (!cancellation.aborted) {
        if (isSessionLost(error) && !resent) return this.#resend(error, method, params, options);
        throw this.#named(error, method);
      }
      // Tell the upstream to stop working on it; it may be gone already, so this is best effort.
      const reason = timedOut ? `timed out after ${timeoutMs} ms` : 'cancelled by the client';
      this.notify('notifications/cancelled', { requestId: id, reason });
      if (timedOut) {
        throw new GatewayError(
          ErrorCodes.UPSTREAM_TIMEOUT,
          `upstream ${this.server} did not answer ${method} within ${timeoutMs} ms`,
          {
            rpcCode: RpcCodes.REQUEST_TIMEOUT,
            data: { server: this.server },
          },
        );
      }
      throw cancellation.reason ?? error;
    } finally {
      clearTimeout(timer);
      unfollow?.();
    }
    if (isErrorResponse(response)) {
      const { code, message: text, data } = response.error;
      throw new RpcError(code, text, data, true);
    }
    const result = response.result;
    // A list is no result object either: spread into one, it would reach the client as {"0": ...}.
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new GatewayError(
        ErrorCodes.UPSTREAM_PROTOCOL,
        `upstream ${this.server} answered ${method} without a result object`,
        {
          data: { server: this.server },
        },
      );
    }
    return result as Result;
  }

  /** A request the server refused for a session it forgot, sent once more on the session that replaces it. */
  async #resend(lost: unknown, method: string, params: Params, options: UpstreamRequestOptions): Promise<Result> {
    const renewed = await this.#handlers.renewed?.();
    if (!renewed) throw this.#named(lost, method);
    return renewed.#request(method, params, options, true);
  }

  /** A transport's failure, said as a failure of this server (the client learns which one). */
  #named(error: unknown, method: string): GatewayError {
    if (error instanceof GatewayError) {
      if (error.data?.server !== undefined) return error;
      return new GatewayError(error.code, `upstream server "${this.server}": ${error.message}`, {
        rpcCode: error.rpcCode,
        data: { ...error.data, server: this.server },
        cause: error,
      });
    }
    const reason = error instanceof Error ? error.message : String(error);
    return new GatewayError(
      ErrorCodes.UPSTREAM_UNAVAILABLE,
      `upstream server "${this.server}" failed during ${method}: ${reason}`,
      {
        data: { server: this.server },
        cause: error,
      },
    );
  }

  /** Send a notification; best effort (a lost connection is reported by the channel). */
  notify(method: string, params?: Record<string, unknown>): void {
    const message: JSONRPCNotification =
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    this.#channel.send(message).catch(() => {});
  }

  /** Every item of a paginated list (`tools/list`, ...), following `nextCursor` to the end. */
  async listAll<T>(method: string, key: string, options: UpstreamRequestOptions = {}): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.request(method, cursor === undefined ? undefined : { cursor }, options);
      const pageItems = result[key];
      if (!Array.isArray(pageItems)) {
        throw new GatewayError(
          ErrorCodes.UPSTREAM_PROTOCOL,
          `upstream ${this.server} answered ${method} without "${key}"`,
        );
      }
      items.push(...(pageItems as T[]));
      const next = result.nextCursor;
      if (typeof next !== 'string' || next === '' || seen.has(next)) return items;
      seen.add(next);
      cursor = next;
    }
    throw new GatewayError(
      ErrorCodes.UPSTREAM_PROTOCOL,
      `upstream ${this.server} returned more than ${MAX_PAGES} pages for ${method}`,
    );
  }

  close(): Promise<void> {
    for (const controller of this.#relayed.values()) controller.abort();
    return this.#channel.close();
  }

  #receive(message: JSONRPCMessage, peer: DownstreamPeer | undefined): void {
    if (isRequest(message)) return void this.#answer(message, peer ?? this.#handlers.peerFor(message));
    const notification = message as JSONRPCNotification;
    if (notification.method === 'notifications/cancelled') {
      const id = notification.params?.requestId as RequestId | undefined;
      if (id !== undefined && this.#relayed.has(id)) return this.#relayed.get(id)!.abort();
    }
    if (typeof notification.method === 'string') this.#handlers.onNotification(notification, peer);
  }

  /** Answer a server-to-client request: `ping` here, anything else by the downstream client. */
  async #answer(request: JSONRPCRequest, peer: DownstreamPeer | undefined): Promise<void> {
    const reply = (body: { result: Result } | { error: { code: number; message: string; data?: unknown } }) =>
      this.#channel.send({ jsonrpc: '2.0', id: request.id, ...body } as never).catch(() => {});
    if (request.method === 'ping') return reply({ result: {} });
    if (!peer) {
      return reply({
        error: {
          code: RpcCodes.METHOD_NOT_FOUND,
          message: `mcp-gateway cannot tell which client ${request.method} is for`,
        },
      });
    }
    const controller = new AbortController();
    this.#relayed.set(request.id, controller);
    try {
      const result = await peer.request(
        { method: request.method, params: request.params as Record<string, unknown> },
        controller.signal,
      );
      await reply({ result });
    } catch (error) {
      const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
      await reply({
        error: {
          code: Number.isSafeInteger(code) ? (code as number) : RpcCodes.INTERNAL_ERROR,
          message: typeof message === 'string' ? message : 'the client could not answer',
          ...(data === undefined ? {} : { data }),
        },
      });
    } finally {
      this.#relayed.delete(request.id);
    }
  }
}

/** What a channel gets with a request; its `signal` is made only if the channel reads it. */
class ChannelRequest implements ChannelRequestOptions {
  readonly cancellation: Cancellation;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly onMessage: (message: JSONRPCNotification | JSONRPCRequest) => void;

  constructor(
    cancellation: Cancellation,
    headers: Readonly<Record<string, string>> | undefined,
    onMessage: (message: JSONRPCNotification | JSONRPCRequest) => void,
  ) {
    this.cancellation = cancellation;
    this.headers = headers;
    this.onMessage = onMessage;
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }
}
