/**
 * Stateless MCP (2026-07-28) on `/mcp`: each POST is one request that carries its envelope (the
 * protocol version, the client's capabilities and identity) in `params._meta`, with headers that
 * repeat what routing needs (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`). The gateway checks
 * headers against the body, answers `server/discover` itself, and runs every other method through
 * the same operations as a 2025 session (operations.ts), with no session: upstreams are reached on
 * their shared session, in the 2025 era (so without the envelope), and the answer is JSON unless
 * something streams first (progress), as on a session's fast path. Results say they are complete and which server answered; cacheable ones
 * carry caching hints.
 *
 * `subscriptions/listen` streams are listen.ts's; an upstream's requests to the caller become
 * `input_required` results through the router (input-bridge.ts).
 */
import type { ClientIdentity } from '../../kernel/context.ts';
import { RpcCodes, type RpcError } from '../../kernel/errors.ts';
import type { Implementation, RequestId, ServerCapabilities } from '../../kernel/protocol.ts';
import { Cancellation } from '../../lib/cancellation.ts';
import type { DownstreamPeer } from '../upstream/peer.ts';
import { DirectReply } from './direct-reply.ts';
import {
  EraErrors,
  META,
  MODERN_PROTOCOL_VERSIONS,
  requestMeta,
  SPOKEN_PROTOCOL_VERSIONS,
  unsupportedVersion,
  withoutEnvelope,
} from './era.ts';
import { jsonRpcErrorResponse } from '../../lib/http/rpc-error-response.ts';
import { Listeners, stamp } from './listen.ts';
import { type CallRouter, OperationCall } from './operation-context.ts';
import { type OperationDeps, runOperation, servesOperation } from './operations.ts';
import type { ListKind } from '../catalogue.ts';
import type { HttpScope } from './http-scope.ts';

/** Methods of sessions that 2026-07-28 removed: a stateless client that sends one gets 404. */
const removed = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'notifications/initialized',
  'notifications/roots/list_changed',
]);

/** Results a client may cache, by the hints they carry. */
const cacheable = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/** What `Mcp-Name` repeats of each method's params. */
const namedBy: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/**
 * The hints on cacheable results. Not to be cached (`ttlMs: 0`) and per caller (`private`): lists
 * change when upstreams do, which a stateless client learns of only by asking again, and
 * permissions shape what each principal sees.
 */
const cacheHints = { ttlMs: 0, cacheScope: 'private' } as const;

export interface StatelessOptions extends OperationDeps {
  readonly serverInfo: Implementation;
  /** What `server/discover` tells, as of now. */
  readonly discover: () => { readonly capabilities: ServerCapabilities; readonly instructions: string };
  /** Aborted when the gateway gives up waiting for operations at shutdown. */
  readonly cancel: AbortSignal;
  /** Makes the upstream calls that may ask the caller for input (the caller cannot be sent requests). */
  readonly router: CallRouter;
}

type Header = (name: Lowercase<string>) => string | undefined;
type Message = { id?: RequestId; method?: unknown; params?: Record<string, unknown> };

export class StatelessServer {
  readonly #options: StatelessOptions;
  readonly #listeners: Listeners;
  /** Requests in progress: what a shutdown that gives up waiting aborts. */
  readonly #serving = new Set<Cancellation>();

  constructor(options: StatelessOptions) {
    this.#options = options;
    this.#listeners = new Listeners(options.proxy, options.serverInfo);
    options.cancel.addEventListener(
      'abort',
      () => {
        for (const cancellation of this.#serving) cancellation.abort(options.cancel.reason);
      },
      { once: true },
    );
  }

  /** Answer one POSTed message that carries a 2026-07-28 envelope. */
  serve(body: Message, header: Header, scope: HttpScope): Response | Promise<Response> {
    const { id } = body;
    const meta = requestMeta(body)!;
    const method = typeof body.method === 'string' ? body.method : undefined;
    if (method === undefined || (id !== undefined && typeof id !== 'string' && typeof id !== 'number'))
      return jsonRpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: not a JSON-RPC request', undefined);
    const version = meta[META.protocolVersion];
    if (typeof version !== 'string' || !MODERN_PROTOCOL_VERSIONS.includes(version))
      return unsupportedVersion(version, id);
    const mismatch = headerMismatch(header, version, method, body.params);
    if (mismatch) return jsonRpcErrorResponse(400, EraErrors.HEADER_MISMATCH, `Header mismatch: ${mismatch}`, id);
    const accept = header('accept');
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream'))
      return jsonRpcErrorResponse(
        406,
        RpcCodes.INVALID_REQUEST,
        'Not Acceptable: accept both application/json and text/event-stream',
        id,
      );
    // Notifications have nothing to answer (a request's end is its stream's end).
    if (id === undefined) return new Response(null, { status: 202 });
    const capabilities = meta[META.clientCapabilities];
    if (!isObject(capabilities))
      return jsonRpcErrorResponse(
        400,
        RpcCodes.INVALID_PARAMS,
        `Invalid params: _meta["${META.clientCapabilities}"] must be an object`,
        id,
      );
    const info = meta[META.clientInfo];
    if (info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string'))
      return jsonRpcErrorResponse(
        400,
        RpcCodes.INVALID_PARAMS,
        `Invalid params: _meta["${META.clientInfo}"] must name the client and its version`,
        id,
      );
    if (method === 'subscriptions/listen')
      return this.#listen(id, body.params, this.#client(info, capabilities, version), scope);
    if (removed.has(method) || (method !== 'server/discover' && !servesOperation(method)))
      return jsonRpcErrorResponse(
        404,
        RpcCodes.METHOD_NOT_FOUND,
        `Method not found: ${method} (not in protocol ${version})`,
        id,
      );
    if (method === 'server/discover') return this.#answer(id, method, this.#discover());
    return this.#run(id, method, withoutEnvelope(body.params), this.#client(info, capabilities, version), scope);
  }

  /** A list of the catalogue changed: tell the listeners that see the difference. */
  changed(kind: ListKind): void {
    this.#listeners.changed(kind);
  }

  /** The gateway stops: end every `subscriptions/listen` stream with its result. */
  end(): Promise<void> {
    return this.#listeners.endAll();
  }

  #client(info: unknown, capabilities: Record<string, unknown>, version: string): ClientIdentity {
    return { info: info as Implementation | undefined, capabilities, protocolVersion: version };
  }

  #listen(
    id: RequestId,
    params: Record<string, unknown> | undefined,
    client: ClientIdentity,
    scope: HttpScope,
  ): Promise<Response> {
    const reply = new DirectReply(undefined, undefined);
    // What reaches the stream outside the listener's own messages (a resource's update) is stamped too.
    const peer: DownstreamPeer = { ...this.#peer(client, reply), notify: (message) => reply.send(stamp(id, message)) };
    const runtime = { cancellation: new Cancellation(), peer, session: undefined };
    const contextOf = (method: string) => new OperationCall(method, scope, undefined, runtime);
    return this.#listeners.listen(
      id,
      params?.notifications,
      contextOf,
      reply,
      (stop) => scope.onGone(stop),
      (uri, subscribe) => this.#options.proxy.subscribe(contextOf('resources/subscribe'), { uri }, runtime, subscribe),
    );
  }

  /** Where the messages of a request go: its own answer stream. Requests cannot reach the client (the router turns them into input_required rounds). */
  #peer(client: ClientIdentity, reply: DirectReply): DownstreamPeer {
    return {
      client,
      notify: (notification) => reply.send(notification),
      request: () =>
        Promise.reject({
          code: RpcCodes.METHOD_NOT_FOUND,
          message: 'a 2026-07-28 client cannot be sent requests outside an input_required round',
        }),
    };
  }

  #discover(): Record<string, unknown> {
    const { capabilities, instructions } = this.#options.discover();
    return { supportedVersions: SPOKEN_PROTOCOL_VERSIONS, capabilities, instructions };
  }

  #run(
    id: RequestId,
    method: string,
    params: Record<string, unknown> | undefined,
    client: ClientIdentity,
    scope: HttpScope,
  ): Promise<Response> {
    const reply = new DirectReply(undefined, undefined);
    const cancellation = new Cancellation();
    if (this.#options.cancel.aborted) cancellation.abort(this.#options.cancel.reason);
    // A closed answer stream cancels the call: this era has no notifications/cancelled.
    const gone = scope.onGone((reason) => cancellation.abort(reason));
    this.#serving.add(cancellation);
    const peer = this.#peer(client, reply);
    const done = () => {
      this.#serving.delete(cancellation);
      gone();
    };
    const runtime = { cancellation, peer, session: undefined, router: this.#options.router };
    runOperation(this.#options, method, params, scope, runtime, undefined).then(
      (result) => {
        done();
        reply.end({ jsonrpc: '2.0', id, result: this.#complete(method, result) });
      },
      (error: RpcError) => {
        done();
        const { code, message, data } = error;
        reply.end({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });
      },
    );
    return reply.response;
  }

  #answer(id: RequestId, method: string, result: Record<string, unknown>): Response {
    const body = { jsonrpc: '2.0', id, result: this.#complete(method, result) };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }

  /** A result as this era has it: its type, the server that answered, and caching hints where they belong. */
  #complete(method: string, result: Record<string, unknown>): Record<string, unknown> {
    const meta = result._meta as Record<string, unknown> | undefined;
    return {
      ...result,
      resultType: result.resultType ?? 'complete',
      ...(cacheable.has(method) && cacheHints),
      _meta: { ...meta, [META.serverInfo]: this.#options.serverInfo },
    };
  }
}

/** What is wrong with the request's headers, measured against its body; undefined when nothing is. */
function headerMismatch(
  header: Header,
  version: string,
  method: string,
  params: Record<string, unknown> | undefined,
): string | undefined {
  const given = header('mcp-protocol-version');
  if (given !== version) return `MCP-Protocol-Version is ${given ?? 'missing'}, the body's _meta says ${version}`;
  const named = header('mcp-method');
  if (named !== method) return `Mcp-Method is ${named ?? 'missing'}, the body's method is ${method}`;
  const key = namedBy[method];
  if (key === undefined) return undefined;
  const expected = params?.[key];
  const name = decodeName(header('mcp-name'));
  if (name !== expected) return `Mcp-Name is ${name ?? 'missing'}, the body's ${key} is ${String(expected)}`;
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `Mcp-Name` as sent: plain, or `=?base64?...?=` for a name that is not ASCII. */
function decodeName(value: string | undefined): string | undefined {
  const encoded = value === undefined ? undefined : /^=\?base64\?(.*)\?=$/.exec(value)?.[1];
  return encoded === undefined ? value : Buffer.from(encoded, 'base64').toString('utf8');
}
