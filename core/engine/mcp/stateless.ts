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
  isObject,
  META,
  messageKind,
  MODERN_PROTOCOL_VERSIONS,
  requestMeta,
  SPOKEN_PROTOCOL_VERSIONS,
  unsupportedVersion,
  withoutEnvelope,
} from './era.ts';
import { jsonRpcErrorResponse } from '../../lib/http/rpc-error-response.ts';
import { decodeHeaderValue, mirroredArguments, namedParam } from '../../lib/http/modern-headers.ts';
import { Listeners, stamp } from './listen.ts';
import { shown } from './shown.ts';
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

/**
 * The hints on cacheable results. Not to be cached (`ttlMs: 0`) and per caller (`private`): lists
 * change when upstreams do, which a stateless client learns of only by asking again, and
 * permissions shape what each principal sees.
 */
const cacheHints = { ttlMs: 0, cacheScope: 'private' } as const;

export interface StatelessOptions extends OperationDeps {
  readonly serverInfo: Implementation;
  /** What `server/discover` tells on an endpoint, as of now. */
  readonly discover: (endpoint: string) => { readonly capabilities: ServerCapabilities; readonly instructions: string };
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

  /**
   * Answer one POSTed message that carries a 2026-07-28 envelope, once it passed the spec's
   * validation ladder, in the SDK's order: its media type, its JSON-RPC form, its envelope,
   * headers that name something else than the body, the version (a client of a later version
   * learns the ones spoken before anything it may do differently), then the headers a request
   * must repeat of its body.
   */
  serve(body: Message, header: Header, scope: HttpScope): Response | Promise<Response> {
    if (header('content-type')?.split(';')[0]?.trim().toLowerCase() !== 'application/json')
      return jsonRpcErrorResponse(
        415,
        -32000,
        'Unsupported Media Type: Content-Type must be application/json',
        undefined,
      );
    const kind = messageKind(body);
    if (kind !== 'request' && kind !== 'notification')
      return jsonRpcErrorResponse(400, RpcCodes.INVALID_REQUEST, 'Invalid Request: not a JSON-RPC request', undefined);
    const { id } = body;
    const method = body.method as string;
    const meta = requestMeta(body)!;
    const invalid = kind === 'request' ? requestProblem(meta, body.params!) : versionProblem(meta);
    if (invalid) return jsonRpcErrorResponse(400, RpcCodes.INVALID_PARAMS, `Invalid params: ${invalid}`, id);
    const version = meta[META.protocolVersion] as string;
    const crossed = headerMismatch(header, version, method);
    if (crossed) return mismatched(crossed, id);
    if (!MODERN_PROTOCOL_VERSIONS.includes(version)) return unsupportedVersion(version, id);
    const missing = kind === 'request' ? headerMissing(header, method, body.params) : undefined;
    if (missing) return mismatched(missing, id);
    const mirrored = method === 'tools/call' ? this.#paramMismatch(header, body.params!, scope.endpoint) : undefined;
    if (mirrored) return mismatched(mirrored, id);
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
    const capabilities = meta[META.clientCapabilities] as Record<string, unknown>;
    const info = meta[META.clientInfo];
    if (method === 'subscriptions/listen')
      return this.#listen(id, body.params, this.#client(info, capabilities, version), scope);
    if (removed.has(method) || (method !== 'server/discover' && !servesOperation(method)))
      return jsonRpcErrorResponse(
        404,
        RpcCodes.METHOD_NOT_FOUND,
        `Method not found: ${shown(method)} (not in protocol ${version})`,
        id,
      );
    if (method === 'server/discover') return this.#answer(id, method, this.#discover(scope.endpoint));
    const client = this.#client(info, capabilities, version);
    return this.#run(id, method, withoutEnvelope(body.params), client, meta[META.logLevel], scope);
  }

  /**
   * What is wrong with a call's `Mcp-Param-*` headers (SEP-2243): each argument the tool's input
   * schema marks `x-mcp-header` must be repeated in its header, as its value (plain or base64),
   * and a header must not stand for an argument the call does not give.
   */
  #paramMismatch(header: Header, params: Record<string, unknown>, endpoint: string): string | undefined {
    const name = params.name;
    const schema = typeof name === 'string' ? this.#options.proxy.tool(name, endpoint)?.value.inputSchema : undefined;
    const args = params.arguments as Record<string, unknown> | undefined;
    for (const [argument, field] of mirroredArguments(schema)) {
      const given = header(field as Lowercase<string>);
      const value = args?.[argument];
      if (value === undefined || value === null || typeof value === 'object') {
        if (given !== undefined) return `${field} is given, the body has no ${shown(argument)} to repeat`;
        continue;
      }
      if (given === undefined) return `${field} is missing, the body's ${shown(argument)} is ${shown(String(value))}`;
      const decoded = decodeHeaderValue(given);
      if (decoded === undefined) return `${field} is not in the =?base64?...?= form`;
      if (decoded !== String(value))
        return `${field} is ${shown(decoded)}, the body's ${shown(argument)} is ${shown(String(value))}`;
    }
    return undefined;
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
    const peer: DownstreamPeer = {
      ...this.#peer(client, reply, undefined),
      notify: (message) => reply.send(stamp(id, message)),
    };
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

  /**
   * Where the messages of a request go: its own answer stream, log messages only at or above the
   * level the request asked for (none if it asked for none). Requests cannot reach the client:
   * the router turns them into input_required rounds.
   */
  #peer(client: ClientIdentity, reply: DirectReply, logLevel: unknown): DownstreamPeer {
    const least = logLevel === undefined ? logLevels.length : logLevels.indexOf(logLevel);
    return {
      client,
      notify: (notification) =>
        notification.method === 'notifications/message' && !(logLevels.indexOf(notification.params?.level) >= least)
          ? Promise.resolve()
          : reply.send(notification),
      request: () =>
        Promise.reject({
          code: RpcCodes.METHOD_NOT_FOUND,
          message: 'a 2026-07-28 client cannot be sent requests outside an input_required round',
        }),
    };
  }

  #discover(endpoint: string): Record<string, unknown> {
    const { capabilities, instructions } = this.#options.discover(endpoint);
    return { supportedVersions: SPOKEN_PROTOCOL_VERSIONS, capabilities, instructions };
  }

  #run(
    id: RequestId,
    method: string,
    params: Record<string, unknown> | undefined,
    client: ClientIdentity,
    logLevel: unknown,
    scope: HttpScope,
  ): Promise<Response> {
    const reply = new DirectReply(undefined, undefined);
    const cancellation = new Cancellation();
    if (this.#options.cancel.aborted) cancellation.abort(this.#options.cancel.reason);
    // A closed answer stream cancels the call: this era has no notifications/cancelled.
    const gone = scope.onGone((reason) => cancellation.abort(reason));
    this.#serving.add(cancellation);
    const peer = this.#peer(client, reply, logLevel);
    const done = () => {
      this.#serving.delete(cancellation);
      gone();
    };
    const level = typeof logLevel === 'string' ? logLevel : undefined;
    const runtime = { cancellation, peer, session: undefined, router: this.#options.router, logLevel: level };
    runOperation(this.#options, method, params, scope, runtime, undefined).then(
      (result) => {
        done();
        reply.end({ jsonrpc: '2.0', id, result: this.#complete(method, result) });
      },
      (error: RpcError) => {
        done();
        const { code, message, data } = error;
        // The spec's one error of a request's processing that HTTP says too.
        const status = code === EraErrors.MISSING_CAPABILITY ? 400 : 200;
        reply.end({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } }, status);
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
      resultType: resultTypeOf(result),
      ...(cacheable.has(method) && cacheHints),
      _meta: { ...meta, [META.serverInfo]: this.#options.serverInfo },
    };
  }
}

/** Values a request may take for `_meta["io.modelcontextprotocol/logLevel"]`, least severe first. */
const logLevels: readonly unknown[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** The capabilities a client declares, each an object when present. */
const capabilityKeys = ['experimental', 'sampling', 'elicitation', 'roots', 'extensions'];

/** What a notification's envelope gets wrong: only its version is required. */
function versionProblem(meta: Record<string, unknown>): string | undefined {
  const version = meta[META.protocolVersion];
  return typeof version === 'string' ? undefined : `_meta["${META.protocolVersion}"] must be a protocol version`;
}

/** What a request gets wrong of its envelope (after the spec's schema) or of an MRTR retry's fields. */
function requestProblem(meta: Record<string, unknown>, params: Record<string, unknown>): string | undefined {
  const capabilities = meta[META.clientCapabilities];
  const info = meta[META.clientInfo];
  const level = meta[META.logLevel];
  const version = versionProblem(meta);
  if (version) return version;
  if (
    !isObject(capabilities) ||
    capabilityKeys.some((key) => capabilities[key] !== undefined && !isObject(capabilities[key]))
  )
    return `_meta["${META.clientCapabilities}"] must be an object of capability objects`;
  if (info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string'))
    return `_meta["${META.clientInfo}"] must name the client and its version`;
  if (level !== undefined && !logLevels.includes(level)) return `_meta["${META.logLevel}"] must be a log level`;
  if (params.requestState !== undefined && typeof params.requestState !== 'string')
    return 'requestState must be the string the server gave';
  if (params.inputResponses !== undefined && !isObject(params.inputResponses))
    return 'inputResponses must be an object of responses by key';
  return undefined;
}

/** A header that names another version or method than the body does; undefined when none does. */
function headerMismatch(header: Header, version: string, method: string): string | undefined {
  const given = header('mcp-protocol-version');
  if (given !== undefined && given !== version)
    return `MCP-Protocol-Version is ${shown(given)}, the body's _meta says ${shown(version)}`;
  const named = header('mcp-method');
  if (named !== undefined && named !== method)
    return `Mcp-Method is ${shown(named)}, the body's method is ${shown(method)}`;
  return undefined;
}

/** A header a request must repeat of its body that is missing, or that repeats something else. */
function headerMissing(
  header: Header,
  method: string,
  params: Record<string, unknown> | undefined,
): string | undefined {
  if (header('mcp-protocol-version') === undefined) return 'MCP-Protocol-Version is missing';
  if (header('mcp-method') === undefined) return 'Mcp-Method is missing';
  // Own keys only: a method named `constructor` names nothing.
  const key = namedParam(method);
  if (key === undefined) return undefined;
  const expected = params?.[key];
  const given = header('mcp-name');
  const name = given === undefined ? undefined : decodeHeaderValue(given);
  if (given !== undefined && name === undefined) return 'Mcp-Name is not in the =?base64?...?= form';
  if (name !== expected) return `Mcp-Name is ${shown(name ?? 'missing')}, the body's ${key} is ${shown(expected)}`;
  return undefined;
}

const mismatched = (why: string, id: RequestId | undefined) =>
  jsonRpcErrorResponse(400, EraErrors.HEADER_MISMATCH, `Header mismatch: ${why}`, id);

/**
 * A result's type as this era says it: one that asks for input, or stands for a task, says so
 * with what the client needs to go on; any other is complete (a 2025 upstream knows nothing of
 * the field, and an unknown type would leave the client with nothing it can do).
 */
function resultTypeOf(result: Record<string, unknown>): string {
  if (
    result.resultType === 'input_required' &&
    (isObject(result.inputRequests) || typeof result.requestState === 'string')
  )
    return 'input_required';
  if (result.resultType === 'task' && typeof result.taskId === 'string') return 'task';
  return 'complete';
}
