/**
 * The MCP client side of one upstream connection, written directly on a channel: request ids,
 * timeouts, cancellation, the `initialize` handshake, and paging through lists. Results pass
 * through as received (no schema re-validation), so nothing the upstream sends is lost; an
 * upstream's JSON-RPC error is rethrown as an `RpcError` with its code, message and data intact.
 */
import { ErrorCodes, GatewayError, RpcCodes, RpcError } from '../errors.ts';
import {
  LATEST_PROTOCOL_VERSION,
  isErrorResponse,
  type ClientCapabilities,
  type Implementation,
  type InitializeResult,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '../protocol.ts';
import type { UpstreamChannel } from './types.ts';

export interface UpstreamRequestOptions {
  /** The caller's signal (client cancellation, shutdown). */
  signal?: AbortSignal;
  /** Overrides the server's timeout for this request. */
  timeoutMs?: number;
  headers?: Readonly<Record<string, string>>;
  onMessage?: (message: JSONRPCNotification | JSONRPCRequest) => void;
}

type Params = Record<string, unknown> | undefined;
type Result = Record<string, unknown>;

/** Lists longer than this many pages are assumed to be a cursor loop in the upstream. */
const MAX_PAGES = 1000;

export class UpstreamClient {
  readonly server: string;
  readonly timeoutMs: number;
  initializeResult: InitializeResult | undefined;
  readonly #channel: UpstreamChannel;
  #nextId = 1;

  constructor(channel: UpstreamChannel, server: string, timeoutMs: number) {
    this.#channel = channel;
    this.server = server;
    this.timeoutMs = timeoutMs;
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

  async request(method: string, params: Params, options: UpstreamRequestOptions = {}): Promise<Result> {
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const message: JSONRPCRequest = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    let response;
    try {
      response = await this.#channel.request(message, { signal, headers: options.headers, onMessage: options.onMessage });
    } catch (error) {
      if (!signal.aborted) throw error;
      // Tell the upstream to stop working on it; it may be gone already, so this is best effort.
      const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : 'cancelled by the client';
      this.#channel
        .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } })
        .catch(() => {});
      if (timeout.aborted) {
        throw new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, `upstream ${this.server} did not answer ${method} within ${timeoutMs} ms`, {
          rpcCode: RpcCodes.REQUEST_TIMEOUT,
          data: { server: this.server },
        });
      }
      throw error;
    }
    if (isErrorResponse(response)) {
      const { code, message: text, data } = response.error;
      throw new RpcError(code, text, data);
    }
    const result = response.result;
    if (typeof result !== 'object' || result === null) {
      throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `upstream ${this.server} answered ${method} without a result object`, {
        data: { server: this.server },
      });
    }
    return result as Result;
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
        throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `upstream ${this.server} answered ${method} without "${key}"`);
      }
      items.push(...(pageItems as T[]));
      const next = result.nextCursor;
      if (typeof next !== 'string' || next === '' || seen.has(next)) return items;
      seen.add(next);
      cursor = next;
    }
    throw new GatewayError(ErrorCodes.UPSTREAM_PROTOCOL, `upstream ${this.server} returned more than ${MAX_PAGES} pages for ${method}`);
  }

  close(): Promise<void> {
    return this.#channel.close();
  }
}
