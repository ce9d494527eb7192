/**
 * The contract between the kernel and upstream transport plugins.
 *
 * A transport only moves JSON-RPC messages: "send this request, give me its response (and the
 * messages the server sent while answering)". The kernel does everything MCP on top: the
 * `initialize` handshake, request ids, timeouts, catalogue discovery, reconnection. So a
 * transport stays small, and the hot path can skip the SDK's per-message machinery.
 *
 * A transport plugin declares its `type:` and the schema of a server's `connection:` block
 * statically (see `PluginDefinition.transport`), and provides a `TransportFactory` at setup with
 * `ctx.provide('transport:<type>', factory)`.
 */
import type { Logger } from 'pino';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, JSONRPCResponseMessage } from './protocol.ts';

/** One server of `proxy.servers`, as the transport receives it. */
export interface UpstreamServer<Connection = unknown> {
  /** The server's `name`: its identity in logs, metrics and permission patterns. */
  readonly name: string;
  readonly type: string;
  /**
   * The server's `connection:` block, validated by the transport's schema. The kernel reads
   * `connection.timeout` itself (the per-request timeout) and removes it before validation.
   */
  readonly connection: Connection;
  /** Where relative paths in the server's config are resolved from (the config file's folder). */
  readonly baseDir: string;
}

export interface TransportContext {
  /** A logger bound to the transport plugin and the server. */
  readonly logger: Logger;
  /** Aborted when the kernel gives up on this connection attempt (shutdown). */
  readonly signal: AbortSignal;
  /**
   * An upstream session to continue instead of opening one: its id, as a channel's `sessionId`
   * gave it (on another replica, say). The kernel then skips the handshake; if the server no longer
   * knows the session, the channel is lost (`UPSTREAM_SESSION_LOST`) and the kernel opens a new one.
   * Transports without sessions of their own ignore it.
   */
  readonly resume?: string;
}

export interface TransportFactory<Connection = unknown> {
  /**
   * Open a channel to the server. Resolve once messages can be sent; the kernel then initializes.
   * `server` is the same object for every channel of one configured server, and a new one when a
   * reload replaces it (same name, other settings): key per-server state by the object, not the name.
   */
  open(server: UpstreamServer<Connection>, ctx: TransportContext): Promise<UpstreamChannel>;
  /** The server is gone (removed or replaced by a reload, or the gateway stops): free what is kept for it. */
  release?(server: UpstreamServer<Connection>): void;
}

/**
 * Why a request's work should stop: what an `AbortSignal` tells, with a listener of its own. The
 * kernel makes no `AbortSignal` for a request unless one is read (core/README.md, "Measured costs").
 */
export interface RequestCancellation {
  readonly aborted: boolean;
  /** Why it was aborted; undefined until then. */
  readonly reason: unknown;
  /** Call `listener` once when aborted (at once if it already is); returns what stops listening. */
  onAbort(listener: (reason: unknown) => void): () => void;
  /** Throw `reason` if aborted. */
  throwIfAborted(): void;
}

export interface ChannelRequestOptions {
  /** Aborted on timeout, on the client's cancellation and on shutdown: stop waiting, free resources. */
  readonly cancellation: RequestCancellation;
  /**
   * The same as an `AbortSignal`, for an API that needs one (`fetch`): made when first read, so a
   * transport that can listen to `cancellation` should.
   */
  readonly signal: AbortSignal;
  /** Correlation headers (`X-Request-Id`, ...) for transports that carry headers per request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Messages the server sends while answering this request (progress, logs, its own requests). */
  readonly onMessage?: (message: JSONRPCNotification | JSONRPCRequest) => void;
}

export interface UpstreamChannel {
  /**
   * Send one request and resolve with its response, a result or a JSON-RPC error alike. Reject
   * only when no response can come (aborted, connection lost, garbage on the wire). When the
   * server refused it because it no longer knows the session (it restarted, or expired it), call
   * `onclose` with a `GatewayError` of code `UPSTREAM_SESSION_LOST`, then reject with it: the
   * server did nothing, so the kernel sends the request again on a new session.
   *
   * A request of the 2026-07-28 era (its `params._meta` holds `io.modelcontextprotocol/protocolVersion`,
   * the kernel's envelope) belongs to no session. An HTTP transport sends it with the headers
   * `modernRequestHeaders` (`mcp-gateway/http`) derives from it and no session id, resolves an
   * error status whose body is a JSON-RPC error as that error, and rejects an answer that carries
   * no JSON-RPC response with a `GatewayError` whose `data.httpStatus` is the status (the kernel's
   * era probe reads 401 and 403 as refused credentials, 5xx as a server that cannot answer now).
   */
  request(message: JSONRPCRequest, options: ChannelRequestOptions): Promise<JSONRPCResponseMessage>;
  /** Send a notification, or the response to a request the server made. */
  send(message: JSONRPCNotification | JSONRPCResponseMessage): Promise<void>;
  /** Set by the kernel: messages the server sends outside any request. */
  onmessage?: (message: JSONRPCMessage) => void;
  /**
   * Set by the kernel: call it once when the channel is lost for good, as soon as that is known
   * (a refused connection, a stream that ended): the kernel marks the server down and reconnects
   * with backoff. With an `UPSTREAM_SESSION_LOST` error (the server answers, but forgot the
   * session), the kernel opens a new session at once and the server stays ready.
   */
  onclose?: (error?: Error) => void;
  /**
   * True when each request is an exchange of its own that ends in an answer or a failure (HTTP).
   * The kernel's era probe (`server/discover`, before `initialize`) reads a probe unanswered in
   * time on such a channel as an unreachable server; on a channel over one message stream (a
   * child's stdio), as a server of the 2025 era that left a method it does not know unanswered.
   */
  readonly oneExchangePerRequest?: boolean;
  /** Called after the 2025 handshake; HTTP transports send it as `MCP-Protocol-Version`. */
  setProtocolVersion?(version: string): void;
  /** End the upstream session and release everything (child processes, sockets). */
  close(): Promise<void>;
  /** The upstream session's id once the server gave one: what another replica may continue (see `TransportContext.resume`). */
  readonly sessionId?: string;
}
