/**
 * One downstream MCP session: the SDK's web-standard Streamable HTTP transport (which owns the
 * wire rules: SSE streams, resumability, 406/415, protocol-version checks) and a low-level SDK
 * `Server` that handles `initialize`, `ping` and cancellation. Every other request goes through
 * one fallback handler to the gateway's operations, so results are neither re-validated nor
 * reshaped. The session also holds its own upstream sessions (per-client mode), opened on first
 * use and closed with it.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  WebStandardStreamableHTTPServerTransport,
  type EventStore,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';
import type { ClientIdentity, Logger } from '../../kernel/context.ts';
import type { ListKind } from '../catalogue.ts';
import type { HttpScope } from './http-scope.ts';
import { RpcCodes, type RpcError } from '../../kernel/errors.ts';
import type { OperationEvent } from '../../kernel/events.ts';
import type { InFlight } from '../in-flight.ts';
import { DirectReply } from './direct-reply.ts';
import type { DirectMessage, DirectRequest } from './direct.ts';
import { Cancellation } from '../../lib/cancellation.ts';
import type {
  ClientCapabilities,
  Implementation,
  JSONRPCNotification,
  JSONRPCRequest,
  RequestId,
  ServerCapabilities,
} from '../../kernel/protocol.ts';
import { UpstreamLink } from '../upstream/link.ts';
import type { DownstreamPeer, ServerToClientRequest } from '../upstream/peer.ts';
import type { Upstream } from '../upstream/upstream.ts';
import type { SessionHandle } from './operation-context.ts';
import type { McpProxy } from './proxy.ts';
import { runOperation, servesOperation } from './operations.ts';
import type { ClientAnswer, ReplicaMessage, SessionBus } from '../../kernel/session-bus.ts';
import type { SessionRecord, UpstreamSessionState } from '../../kernel/session-store.ts';

export interface SessionOptions {
  /** The MCP endpoint it is opened on: it is served there alone. */
  readonly endpoint: string;
  /** The principal that opens the session; only it may use the session. */
  readonly subject: string | undefined;
  /** The protocol version negotiated at initialize. */
  readonly protocolVersion: string;
  readonly proxy: McpProxy;
  /** Operations in progress, which a graceful stop waits for. */
  readonly inFlight: InFlight;
  /** Aborted when the gateway gives up waiting for operations at shutdown. */
  readonly cancel: AbortSignal;
  readonly serverInfo: Implementation;
  readonly capabilities: ServerCapabilities;
  readonly instructions: string;
  readonly eventStore: EventStore | undefined;
  readonly logger: Logger;
  readonly onInitialized: (session: DownstreamSession) => void | Promise<void>;
  /** Every operation, once it ended: for the access log and the observers. */
  readonly onOperation: (event: OperationEvent, logger: Logger) => void;
  /** The session closes, and how; the close waits for what it returns (a shared session's end, recorded and announced). */
  readonly onClosed: (session: DownstreamSession, how: SessionClose) => Promise<void>;
  /** Replicas sharing sessions: where messages for exchanges this replica does not hold go. */
  readonly bus?: SessionBus;
  /** The session's record, when this replica takes over a session another one opened. */
  readonly restore?: SessionRecord;
  /** One of its per-client upstream sessions opened: for the record, when replicas share sessions. */
  readonly onUpstreamSession?: (session: DownstreamSession, server: string, state: UpstreamSessionState) => void;
}

/**
 * Why a session closes here. `end`: the client deleted it, or it idled out: it ends for every
 * replica, its upstream sessions too. `leave`: this replica shuts down while others go on serving
 * it, so its upstream sessions stay open for them. `ended`: another replica ended it.
 */
export type SessionClose = 'end' | 'leave' | 'ended';

type Params = Record<string, unknown>;

/**
 * The SDK gives every `Server` its own Ajv instance (for `elicitInput`, which the gateway never
 * calls: it relays elicitations as they come). One instance for all sessions, made if ever needed,
 * keeps an idle session small.
 */
let ajv: AjvJsonSchemaValidator | undefined;
const sharedValidator: jsonSchemaValidator = {
  getValidator: (schema) => (ajv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

/** Results of the client's answers are passed on as they are. */
const anyResult = z.looseObject({});

export class DownstreamSession implements SessionHandle {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: Server;
  readonly subject: string | undefined;
  readonly endpoint: string;
  readonly protocolVersion: string;
  readonly peer: DownstreamPeer;
  logLevel: string | undefined;
  #closed = false;
  readonly #links = new Map<string, UpstreamLink>();
  readonly #options: SessionOptions;
  /** Fast-path requests in progress, by the client's request id: what `notifications/cancelled` aborts. */
  readonly #serving = new Map<RequestId, Cancellation>();
  /** Fast-path requests to the client awaiting its answer, by the gateway's request id. */
  readonly #asking = new Map<string, (answer: ClientAnswer) => void>();
  #asked = 0;
  /** What the client said at `initialize`: known before the SDK's `Server` has handled it, for the session's record. */
  #hello: { clientInfo?: Implementation; capabilities?: ClientCapabilities } | undefined;
  /** The client's GET streams to this replica now open: where its notifications can go. */
  #getStreams = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.subject = options.subject;
    this.endpoint = options.endpoint;
    this.protocolVersion = options.protocolVersion;
    this.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => options.restore?.id ?? randomUUID(),
      eventStore: options.eventStore,
      // Clients that lose an event stream reconnect after this long (the SSE `retry:` field).
      retryInterval: 1000,
      onsessioninitialized: () => options.onInitialized(this),
      // Awaited by the transport: the DELETE is answered once the session has ended everywhere.
      onsessionclosed: () => this.close(),
    });
    this.server = new Server(options.serverInfo, {
      capabilities: options.capabilities,
      instructions: options.instructions,
      jsonSchemaValidator: sharedValidator,
    });
    // The SDK answers logging/setLevel itself when logging is advertised; the gateway forwards it.
    this.server.removeRequestHandler('logging/setLevel');
    this.server.fallbackRequestHandler = (request, extra) =>
      this.#dispatch(request as JSONRPCRequest, extra as DispatchExtra);
    this.server.fallbackNotificationHandler = async (notification) =>
      this.#fromClient(notification as JSONRPCNotification);
    this.server.onerror = (error) => options.logger.debug({ err: error, session: this.id }, 'session transport error');
    const server = this.server;
    this.peer = {
      get client() {
        return identity(server, options.protocolVersion);
      },
      notify: (notification) => this.#toClient(notification as JSONRPCNotification),
      // Ids of the gateway's own, as on the fast path: the client's answer may reach any replica.
      request: (request, signal) => this.#ask((message) => this.#toClient(message), request, signal),
    };
  }

  get id(): string | undefined {
    return this.transport.sessionId;
  }

  get client(): ClientIdentity {
    return this.peer.client;
  }

  async connect(): Promise<void> {
    await this.server.connect(this.transport);
  }

  /** The client's info and capabilities as it sent them in `initialize`. */
  get hello(): { clientInfo?: Implementation; capabilities?: ClientCapabilities } | undefined {
    return this.#hello;
  }

  handle(request: Request, parsedBody: unknown, scope: HttpScope): Promise<Response> {
    const message = parsedBody as
      | { method?: unknown; params?: { clientInfo?: Implementation; capabilities?: ClientCapabilities } }
      | undefined;
    if (this.#hello === undefined && message?.method === 'initialize') this.#hello = { ...message.params };
    const authInfo: AuthInfo = {
      token: '',
      clientId: scope.principal?.subject ?? 'anonymous',
      scopes: [...(scope.principal?.scopes ?? [])],
      extra: { scope },
    };
    return this.transport.handleRequest(request, { parsedBody, authInfo });
  }

  /**
   * Take over a session another replica opened: the SDK's transport and `Server` go through the
   * client's `initialize` handshake again, from its record, under the session's id, so that they
   * know its protocol version, capabilities and identity as if it had happened here.
   */
  async restore(record: SessionRecord): Promise<void> {
    await this.connect();
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const initialize = {
      jsonrpc: '2.0',
      id: 'mcp-gateway-restore',
      method: 'initialize',
      params: {
        protocolVersion: this.protocolVersion,
        capabilities: record.clientCapabilities ?? {},
        clientInfo: record.clientInfo ?? { name: 'unknown', version: '0' },
      },
    };
    this.#hello = { clientInfo: record.clientInfo, capabilities: record.clientCapabilities };
    const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
    const post = (body: object, more: Record<string, string> = {}) =>
      this.transport.handleRequest(
        new Request('http://mcp-gateway.internal/mcp', {
          method: 'POST',
          headers: { ...headers, ...more },
          body: JSON.stringify(body),
        }),
        { parsedBody: body },
      );
    await (await post(initialize)).text();
    await (
      await post(initialized, { 'mcp-session-id': record.id, 'mcp-protocol-version': this.protocolVersion })
    ).text();
  }

  /** The stream of the event a client's `Last-Event-ID` names, if this session can replay from it. */
  streamOfEvent(eventId: string): Promise<string | undefined> {
    return this.#options.eventStore?.getStreamIdForEventId?.(eventId) ?? Promise.resolve(undefined);
  }

  /** A GET stream of the client opened here (until `signal` aborts): its notifications come to this replica. */
  holdGetStream(signal: AbortSignal): void {
    this.#getStreams++;
    signal.addEventListener('abort', () => this.#getStreams--, { once: true });
  }

  /** A message another replica routed here for this session. */
  fromReplica(message: Exclude<ReplicaMessage, { kind: 'ended' | 'continue' | 'continued' }>): void {
    if (message.kind === 'notify') {
      if (this.#getStreams > 0) void this.server.notification(message.notification as never).catch(() => {});
    } else if (message.kind === 'ask') {
      if (this.#getStreams > 0) void this.transport.send(message.request).catch(() => {});
    } else if (message.kind === 'answer') this.#asking.get(String(message.answer.id))?.(message.answer);
    else this.#serving.get(message.requestId)?.abort(message.reason ?? 'cancelled by the client');
  }

  /**
   * A message outside any request's answer: on the client's GET stream here, or on the replica
   * holding it. (Without one anywhere, the event store keeps it for the stream the client reopens.)
   */
  #toClient(message: JSONRPCNotification | JSONRPCRequest): Promise<void> {
    const { bus } = this.#options;
    const id = this.id;
    if (bus && this.#getStreams === 0 && id) {
      return bus.send(
        '*',
        'id' in message
          ? { kind: 'ask', session: id, request: message }
          : { kind: 'notify', session: id, notification: message },
      );
    }
    if ('id' in message) return this.transport.send(message);
    return this.server.notification(message as never).catch(() => {});
  }

  /** Whether the fast path serves this request method. */
  static serves(method: string): boolean {
    return servesOperation(method);
  }

  /**
   * Answer a message on the fast path (see direct.ts), or return undefined for the SDK transport
   * to handle it: an answer or a cancellation that concerns none of the fast path's exchanges.
   */
  direct(message: DirectMessage, scope: HttpScope): Promise<Response> | undefined {
    if (message.kind === 'request') return this.#serve(message.request, scope);
    const { bus } = this.#options;
    if (message.kind === 'answer') {
      const { id } = message.answer;
      const settle = typeof id === 'string' ? this.#asking.get(id) : undefined;
      if (settle) return (settle(message.answer), Promise.resolve(accepted()));
      // An answer to another replica's request: the id names it.
      const asker = typeof id === 'string' ? askingReplica(id) : undefined;
      if (!bus || !asker || asker === bus.replica || !this.id) return undefined;
      scope.logger.debug({ session: this.id, id, replica: asker }, 'answer sent on to the replica that asked');
      return bus.send(asker, { kind: 'answer', session: this.id, answer: message.answer }).then(accepted);
    }
    const serving = this.#serving.get(message.requestId);
    if (serving) return (serving.abort(message.reason ?? 'cancelled by the client'), Promise.resolve(accepted()));
    if (!bus || !this.id) return undefined;
    // Served elsewhere, if anywhere: every replica looks.
    return bus
      .send('*', { kind: 'cancelled', session: this.id, requestId: message.requestId, reason: message.reason })
      .then(accepted);
  }

  /** The gateway gave up waiting at shutdown: abort what the fast path is serving. */
  cancelServing(reason: unknown): void {
    for (const cancellation of this.#serving.values()) cancellation.abort(reason);
  }

  link(upstream: Upstream): UpstreamLink {
    let link = this.#links.get(upstream.name);
    if (!link) {
      const { restore, onUpstreamSession } = this.#options;
      link = new UpstreamLink(upstream, {
        peer: this.peer,
        onNotification: (notification) =>
          void this.peer.notify(this.#options.proxy.forClient(upstream.name, notification)),
        logLevel: () => this.logLevel,
        resume: restore?.upstreamSessions?.[upstream.name],
        ...(onUpstreamSession && {
          onOpened: (state: UpstreamSessionState) => onUpstreamSession(this, upstream.name, state),
        }),
      });
      this.#links.set(upstream.name, link);
    }
    return link;
  }

  /** Close the link to `server` (a reload removes or replaces it); the next request opens a new one. */
  async unlink(server: string): Promise<void> {
    const link = this.#links.get(server);
    this.#links.delete(server);
    await link?.close();
  }

  openLinks(): readonly UpstreamLink[] {
    return [...this.#links.values()].filter((link) => link.open);
  }

  /**
   * Tell the client that a list changed (on its GET stream, if it keeps one open here). Not sent
   * on to other replicas: each sees the same change and tells the clients it holds itself.
   */
  notifyListChanged(kind: ListKind): void {
    void this.server.notification({ method: `notifications/${kind}/list_changed` } as never).catch(() => {});
  }

  /** Close the session here (see `SessionClose` for `how`). */
  async close(how: SessionClose = 'end'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([
      this.#options.onClosed(this, how),
      how !== 'leave' && Promise.all([...this.#links.values()].map((link) => link.close())),
    ]);
    await this.server.close().catch(() => {});
  }

  /** A request through the SDK's transport and `Server` (the path every message could take). */
  #dispatch(request: JSONRPCRequest, extra: DispatchExtra): Promise<Record<string, unknown>> {
    const scope = extra.authInfo?.extra?.scope as HttpScope;
    return this.#run(
      request.method,
      request.params,
      scope,
      Cancellation.following(AbortSignal.any([extra.signal, scope.signal, this.#options.cancel])),
      {
        client: this.client,
        notify: (notification) => extra.sendNotification(notification as never),
        request: (outgoing, signal) =>
          askClient((schema, opts) => extra.sendRequest(outgoing as never, schema, opts), signal),
      },
    );
  }

  /** A request on the fast path: the same operation, answered as JSON unless something streams first. */
  #serve(request: DirectRequest, scope: HttpScope): Promise<Response> {
    const reply = new DirectReply(this.id!, this.#options.eventStore);
    const cancellation = new Cancellation();
    // A shutdown that gives up waiting aborts what is in `#serving` (`cancelServing`): no listener
    // per call on the long-lived shutdown signal.
    const { cancel } = this.#options;
    if (cancel.aborted) cancellation.abort(cancel.reason);
    const gone = scope.onGone((reason) => cancellation.abort(reason));
    this.#serving.set(request.id, cancellation);
    const done = () => {
      this.#serving.delete(request.id);
      gone();
    };
    const peer: DownstreamPeer = {
      client: this.client,
      notify: (notification) => reply.send(notification),
      request: (outgoing, signal) =>
        reply.ended
          ? Promise.reject({ code: RpcCodes.INTERNAL_ERROR, message: 'the request this belongs to has ended' })
          : this.#ask((message) => reply.send(message), outgoing, signal),
    };
    this.#run(request.method, request.params, scope, cancellation, peer).then(
      (result) => {
        done();
        reply.end({ jsonrpc: '2.0', id: request.id, result });
      },
      (error: RpcError) => {
        done();
        reply.end({
          jsonrpc: '2.0',
          id: request.id,
          error: {
            code: error.code,
            message: error.message,
            ...(error.data === undefined ? {} : { data: error.data }),
          },
        });
      },
    );
    return reply.response;
  }

  /**
   * A server-to-client request, sent with `send` (on a request's answer stream, or outside any);
   * the client POSTs its answer, which `direct` settles here or the replica bus brings here.
   */
  #ask(
    send: (message: JSONRPCRequest | JSONRPCNotification) => Promise<void>,
    request: ServerToClientRequest,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const missing = requiredCapability[request.method];
    if (missing && !this.client.capabilities?.[missing]) {
      return Promise.reject({
        code: RpcCodes.METHOD_NOT_FOUND,
        message: `the client does not support ${missing} (required for ${request.method})`,
      });
    }
    const id = askId(this.#options.bus?.replica, ++this.#asked);
    return new Promise((resolve, reject) => {
      const settle = (answer: ClientAnswer) => {
        this.#asking.delete(id);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (answer.error) reject(answer.error);
        else resolve(answer.result!);
      };
      const onAbort = () => {
        void send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: String(signal.reason) },
        });
        settle({ id, error: { code: RpcCodes.REQUEST_TIMEOUT, message: 'Request cancelled' } });
      };
      const timer = setTimeout(
        () => settle({ id, error: { code: RpcCodes.REQUEST_TIMEOUT, message: 'The client did not answer in time' } }),
        CLIENT_ANSWER_TIMEOUT_MS,
      );
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#asking.set(id, settle);
      send({ jsonrpc: '2.0', id, method: request.method, ...(request.params ? { params: request.params } : {}) }).catch(
        (error: unknown) =>
          settle({
            id,
            error: {
              code: RpcCodes.INTERNAL_ERROR,
              message: `the request could not be sent to the client: ${String(error)}`,
            },
          }),
      );
    });
  }

  /** One operation of this session, whichever path brought it (see operations.ts). */
  #run(
    method: string,
    params: Params | undefined,
    scope: HttpScope,
    cancellation: Cancellation,
    peer: DownstreamPeer,
  ): Promise<Record<string, unknown>> {
    return runOperation(this.#options, method, params, scope, { cancellation, session: this, peer }, this.id);
  }

  /** Notifications from the client that upstreams must hear: a change of its roots. */
  #fromClient(notification: JSONRPCNotification): void {
    if (notification.method !== 'notifications/roots/list_changed') return;
    for (const link of this.openLinks()) link.notify(notification.method, notification.params);
  }
}

interface DispatchExtra {
  signal: AbortSignal;
  authInfo?: AuthInfo;
  sendNotification: (notification: never) => Promise<void>;
  sendRequest: (
    request: never,
    schema: typeof anyResult,
    options?: { signal?: AbortSignal },
  ) => Promise<Record<string, unknown>>;
}

function identity(server: Server, protocolVersion: string): ClientIdentity {
  return { info: server.getClientVersion(), capabilities: server.getClientCapabilities(), protocolVersion };
}

/**
 * Ask the client through the SDK and give back its answer; its JSON-RPC error comes back with
 * the client's own message (the SDK prefixes "MCP error N:" to it).
 */
async function askClient(
  send: (
    schema: typeof anyResult,
    options: { signal: AbortSignal; timeout: number },
  ) => Promise<Record<string, unknown>>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  try {
    // A person may take a while to answer an elicitation or approve a sampling request.
    return await send(anyResult, { signal, timeout: CLIENT_ANSWER_TIMEOUT_MS });
  } catch (error) {
    const { code, message, data } = error as { code?: number; message?: string; data?: unknown };
    throw { code, message: message?.replace(/^MCP error -?\d+: /, ''), data };
  }
}

const CLIENT_ANSWER_TIMEOUT_MS = 10 * 60_000;

/** What a client must have declared for the gateway to send it these requests (as the SDK's `Server` checks). */
const requiredCapability: Record<string, keyof ClientCapabilities> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

const accepted = () => new Response(null, { status: 202 });

/** Ids of the gateway's requests to clients: `mcp-gateway-N`, with the replica's name when replicas share sessions. */
const askId = (replica: string | undefined, n: number) =>
  replica ? `mcp-gateway-${replica}~${n}` : `mcp-gateway-${n}`;
const askingReplica = (id: string) => /^mcp-gateway-(.+)~\d+$/.exec(id)?.[1];
