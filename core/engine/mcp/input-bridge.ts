/**
 * Multi-round-trip requests (MRTR) for 2026-07-28 callers, which have no stream the gateway could
 * send a request on.
 *
 * A 2026-07-28 upstream asks for input itself, with an `input_required` result: the gateway only
 * wraps its `requestState` in its own (request-state.ts), so a retry is checked and bound to the
 * caller before the upstream sees it.
 *
 * A 2025-era upstream sends sampling, elicitation or roots requests during the call instead: the
 * gateway holds the call and hands the requests out as an `input_required` result (held-call.ts);
 * the caller's retry, which runs the plugins' chain again (so permissions are checked on every
 * round), continues the held upstream call instead of starting another. The upstream must know
 * the client can answer: such calls go on an upstream session opened with the caller's input
 * capabilities (`sampling`, `elicitation`, `roots`), one per upstream, set of capabilities and call
 * in flight, reused by the calls of any caller that declares that set. Callers that declare none,
 * and servers of `shared` upstream sessions, keep to the shared session, where nothing can be
 * asked of a client.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../kernel/context.ts';
import { ErrorCodes, GatewayError, RpcCodes, RpcError } from '../../kernel/errors.ts';
import type { ReplicaMessage, SessionBus } from '../../kernel/session-bus.ts';
import { Cancellation, type StopSignal } from '../../lib/cancellation.ts';
import type { ClientCapabilities, JSONRPCNotification } from '../../kernel/protocol.ts';
import type { UpstreamRequestOptions } from '../upstream/client.ts';
import { UpstreamLink } from '../upstream/link.ts';
import type { DownstreamPeer } from '../upstream/peer.ts';
import type { Upstream } from '../upstream/upstream.ts';
import { HeldCall, type Listener } from './held-call.ts';
import type { CallRouter, OperationRuntime, RoutedCall } from './operation-context.ts';
import { toRpcError } from './operations.ts';
import type { RequestStateSeal } from './request-state.ts';
import type { TaskIds } from './task-ids.ts';

type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };
type Result = Record<string, unknown>;

export interface InputBridgeOptions {
  readonly seal: RequestStateSeal;
  /** The ids given for an upstream's tasks. */
  readonly tasks: TaskIds;
  /** How long a held call waits for the caller's retry before it is cancelled. */
  readonly holdMs: number;
  /** The replicas' bus: a retry that reaches another replica than the one holding its call is continued there. */
  readonly bus: SessionBus | undefined;
  readonly logger: Logger;
}

/** What a state names: the held call, its round, and the replica holding it. */
interface StatePayload {
  readonly c: string;
  readonly n: number;
  readonly r: string;
}

/** What a state carries for a 2026-07-28 upstream: the state that upstream gave. */
interface UpstreamState {
  readonly u: string;
}

/** Idle sessions kept per upstream and set of capabilities, for the calls to come. */
const IDLE_SESSIONS_KEPT = 4;

/** The input capabilities, and the parts of each that change what a server may ask. */
const inputCapabilities: Record<string, readonly string[]> = {
  elicitation: ['form', 'url'],
  roots: ['listChanged'],
  sampling: ['context', 'tools'],
};

export class InputBridge implements CallRouter {
  readonly #options: InputBridgeOptions;
  readonly #held = new Map<string, { call: HeldCall; timer: NodeJS.Timeout }>();
  readonly #links = new Map<Upstream, Map<string, BridgeLink[]>>();

  /** Retries served here whose calls other replicas hold: the round's end, by exchange. */
  readonly #remote = new Map<string, (answer: Extract<ReplicaMessage, { kind: 'continued' }>) => void>();
  readonly #replica: string;

  constructor(options: InputBridgeOptions) {
    this.#options = options;
    this.#replica = options.bus?.replica ?? '';
    options.bus?.onMessage((message) => {
      if (message.kind === 'continued') this.#remote.get(message.exchange)?.(message);
      else if (message.kind === 'continue') void this.#continueFor(message);
    });
  }

  route(
    upstream: Upstream,
    call: RoutedCall,
    runtime: OperationRuntime,
    method: string,
    params: Params,
    send: (params: Params) => Promise<Result>,
  ) {
    // Answers without a state continue nothing: the call starts afresh, as a server ignores what it does not know.
    const retry = params.requestState !== undefined;
    const { modern } = upstream;
    // Checked first, and cheaply: most calls take the usual way.
    const link = retry || modern ? undefined : this.#link(upstream, runtime.peer.client.capabilities);
    if (!retry && !link && !modern) return undefined;
    const binding = `${call.principal?.subject ?? ''}\n${method}\n${call.server}\n${String(params.name ?? params.uri)}`;
    if (retry) return this.#retry(params, binding, call, runtime, send);
    if (modern) return this.#relay(params, binding, call, send);
    const { inputResponses: _, ...sent } = params;
    const listener = { peer: runtime.peer, progressToken: sent._meta?.progressToken };
    if (upstream.state !== 'ready') return Promise.reject(upstream.unavailable());
    const id = randomUUID();
    const held = new HeldCall(id, binding, link!.capabilities, listener);
    const asked =
      listener.progressToken === undefined
        ? sent
        : { ...sent, _meta: { ...sent._meta, progressToken: held.upstreamToken } };
    const headers = { ...call.upstreamHeaders, 'x-request-id': call.requestId };
    const peer = held.peer(runtime.peer.client);
    held.follow(link!.request(method, asked, { signal: held.cancellation, headers, peer }));
    return this.#round(id, held, listener, runtime.cancellation);
  }

  /**
   * A retry: the state is the gateway's, checked before anything acts on it. It names a call held
   * here or on another replica, or carries the state a 2026-07-28 upstream gave, sent back to it.
   */
  async #retry(
    params: Params,
    binding: string,
    call: RoutedCall,
    runtime: OperationRuntime,
    send: (params: Params) => Promise<Result>,
  ): Promise<Result> {
    const { requestState, inputResponses, ...rest } = params;
    const state = this.#options.seal.open(requestState, binding) as StatePayload | UpstreamState;
    if (
      inputResponses !== undefined &&
      (typeof inputResponses !== 'object' || inputResponses === null || Array.isArray(inputResponses))
    )
      throw invalidParams('inputResponses must be an object of the answers by key');
    if ('u' in state) return this.#relay({ ...params, requestState: state.u }, binding, call, send);
    const { c: id, n: round, r: replica } = state;
    const answers = (inputResponses as Record<string, unknown> | undefined) ?? {};
    if (replica !== this.#replica) return this.#continueThere(replica, id, round, answers, runtime);
    const listener = { peer: runtime.peer, progressToken: rest._meta?.progressToken };
    return this.#round(id, this.#take(id, round, answers), listener, runtime.cancellation);
  }

  /**
   * A call to a 2026-07-28 upstream, which asks for input itself: its state is wrapped in the
   * gateway's own, so that the retry is checked (and bound to the caller) before the upstream sees
   * it; a task it makes instead of answering gets an id of the gateway's (task-ids.ts).
   */
  async #relay(
    params: Params,
    binding: string,
    call: RoutedCall,
    send: (params: Params) => Promise<Result>,
  ): Promise<Result> {
    const result = await send(params);
    if (result.resultType === 'task' && typeof result.taskId === 'string') {
      const task = { server: call.server, taskId: result.taskId, tool: call.name ?? '' };
      return { ...result, taskId: this.#options.tasks.wrap(task, result.ttlMs, call.principal) };
    }
    if (result.resultType !== 'input_required' || typeof result.requestState !== 'string') return result;
    const state: UpstreamState = { u: result.requestState };
    return { ...result, requestState: this.#options.seal.seal(state, binding) };
  }

  /** The held call a state names, its timer stopped and its answers given; a clear error if it is gone. */
  #take(id: string, round: number, answers: Readonly<Record<string, unknown>>): HeldCall {
    const held = this.#held.get(id);
    if (!held || held.call.round !== round)
      throw invalidParams(
        'requestState is no longer current (its call ended, expired or was continued): send the request again without it',
      );
    this.#held.delete(id);
    clearTimeout(held.timer);
    held.call.answer(answers);
    return held.call;
  }

  /** A retry whose call another replica holds: continued there, through the bus, and its round's end told back. */
  #continueThere(
    replica: string,
    call: string,
    round: number,
    inputResponses: Readonly<Record<string, unknown>>,
    runtime: OperationRuntime,
  ): Promise<Result> {
    const { bus, holdMs } = this.#options;
    if (!bus)
      throw invalidParams(
        `requestState continues a call that gateway replica "${replica}" holds, and no session bus reaches it`,
      );
    const exchange = randomUUID();
    return new Promise<Result>((resolve, reject) => {
      const done = () => {
        this.#remote.delete(exchange);
        clearTimeout(timer);
        gone();
      };
      const timer = setTimeout(() => {
        done();
        reject(new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, `gateway replica "${replica}" did not continue the call`));
      }, holdMs);
      const gone = runtime.cancellation.onAbort((reason) => (done(), reject(reason)));
      this.#remote.set(exchange, ({ result, error }) => {
        done();
        if (error) reject(new RpcError(error.code, error.message, error.data));
        else resolve(result ?? {});
      });
      void bus.send(replica, { kind: 'continue', replica: this.#replica, exchange, call, round, inputResponses });
    });
  }

  /** Another replica's retry of a call held here: its round runs here, and its end goes back. */
  async #continueFor(message: Extract<ReplicaMessage, { kind: 'continue' }>): Promise<void> {
    const { exchange, call, round, inputResponses, replica } = message;
    let answer: Extract<ReplicaMessage, { kind: 'continued' }>;
    try {
      const held = this.#take(call, round, inputResponses);
      // The retry's progress stays with the replica serving it: this one has no stream to send it on.
      const listener = { peer: silentPeer, progressToken: undefined };
      const result = await this.#round(call, held, listener, new Cancellation());
      answer = { kind: 'continued', exchange, result };
    } catch (error) {
      const { code, message: text, data } = toRpcError(error, this.#options.logger, 'tools/call');
      answer = { kind: 'continued', exchange, error: { code, message: text, ...(data === undefined ? {} : { data }) } };
    }
    await this.#options.bus?.send(replica, answer);
  }

  /** Cancel every held call and close the sessions they ran on: the gateway stops. */
  async stop(): Promise<void> {
    for (const { call, timer } of this.#held.values()) {
      clearTimeout(timer);
      call.cancellation.abort(stopping());
    }
    this.#held.clear();
    const links = [...this.#links.values()].flatMap((byKey) => [...byKey.values()].flat());
    this.#links.clear();
    await Promise.all(links.map((link) => link.close()));
  }

  /** The round's end: the call's result or error, or its questions with the state that continues it. */
  async #round(id: string, call: HeldCall, listener: Listener, cancellation: StopSignal): Promise<Result> {
    const outcome = await call.next(listener, cancellation);
    if (outcome.kind === 'result') return outcome.result;
    if (outcome.kind === 'error') throw outcome.error;
    call.round++;
    const timer = setTimeout(() => {
      this.#held.delete(id);
      call.cancellation.abort(
        new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, 'the client did not answer the input it was asked for in time'),
      );
    }, this.#options.holdMs);
    this.#held.set(id, { call, timer });
    const state: StatePayload = { c: id, n: call.round, r: this.#replica };
    return {
      resultType: 'input_required',
      inputRequests: outcome.requests,
      requestState: this.#options.seal.seal(state, call.binding),
    };
  }

  /**
   * A session for a call of a caller with these capabilities, if it declared any a server may ask
   * for: an idle one, or a new one. One call at a time per session, because a transport may not
   * relate a server's request to the call it is about (an HTTP server may send it on its GET
   * stream; stdio relates none), so the session's only call is the one asked.
   */
  #link(upstream: Upstream, capabilities: ClientCapabilities | undefined): BridgeLink | undefined {
    const declared = declaredInput(capabilities);
    // A server of `shared` sessions (a stdio child, by default: a session there is a process) is
    // asked nothing on behalf of any client, as for 2025 clients: its calls stay on the shared one.
    if (!declared || upstream.policy.sessions === 'shared') return undefined;
    for (const gone of [...this.#links.keys()].filter((known) => known.state === 'closed')) {
      for (const link of [...this.#links.get(gone)!.values()].flat()) void link.close();
      this.#links.delete(gone);
    }
    let byKey = this.#links.get(upstream);
    if (!byKey) this.#links.set(upstream, (byKey = new Map()));
    let pool = byKey.get(declared.key);
    if (!pool) byKey.set(declared.key, (pool = []));
    const idle = pool.find((link) => !link.busy);
    if (idle) return idle;
    const link = new BridgeLink(upstream, declared.capabilities, () => {
      // Past a few idle sessions, the one that fell idle is closed: a burst leaves none behind.
      if (pool.filter((other) => !other.busy).length <= IDLE_SESSIONS_KEPT) return;
      pool.splice(pool.indexOf(link), 1);
      void link.close();
    });
    pool.push(link);
    return link;
  }
}

/** An upstream session opened with a set of input capabilities, for one call at a time. */
class BridgeLink {
  readonly capabilities: ClientCapabilities;
  readonly #link: UpstreamLink;
  readonly #idle: () => void;
  readonly #calls = new Set<DownstreamPeer>();

  constructor(upstream: Upstream, capabilities: ClientCapabilities, idle: () => void) {
    this.capabilities = capabilities;
    this.#idle = idle;
    // What the transport could not relate to a request is the call's, if only one is in flight.
    const only = () => (this.#calls.size === 1 ? [...this.#calls][0] : undefined);
    const peer: DownstreamPeer = {
      client: { info: undefined, capabilities, protocolVersion: undefined },
      notify: (notification: JSONRPCNotification) => only()?.notify(notification) ?? Promise.resolve(),
      request: (request, signal) =>
        only()?.request(request, signal) ??
        Promise.reject({
          code: RpcCodes.METHOD_NOT_FOUND,
          message: `mcp-gateway cannot tell which call ${request.method} is for`,
        }),
    };
    this.#link = new UpstreamLink(upstream, {
      peer,
      onNotification: (notification) => void peer.notify(notification).catch(() => {}),
      logLevel: () => undefined,
    });
  }

  get busy(): boolean {
    return this.#calls.size > 0;
  }

  async request(
    method: string,
    params: Params,
    options: UpstreamRequestOptions & { peer: DownstreamPeer },
  ): Promise<Result> {
    this.#calls.add(options.peer);
    try {
      return await this.#link.request(method, params, options);
    } finally {
      this.#calls.delete(options.peer);
      if (this.#calls.size === 0) this.#idle();
    }
  }

  close(): Promise<void> {
    return this.#link.close();
  }
}

/** The input capabilities a client declared, reduced to what matters to a server, with a key naming the set. */
function declaredInput(
  capabilities: ClientCapabilities | undefined,
): { key: string; capabilities: ClientCapabilities } | undefined {
  const kept: Record<string, Record<string, unknown>> = {};
  let key = '';
  for (const [name, parts] of Object.entries(inputCapabilities)) {
    const given = (capabilities as Record<string, unknown> | undefined)?.[name];
    if (typeof given !== 'object' || given === null) continue;
    const present = parts.filter((part) => (given as Record<string, unknown>)[part] !== undefined);
    kept[name] = Object.fromEntries(
      present.map((part) => {
        const value = (given as Record<string, unknown>)[part];
        return [part, typeof value === 'boolean' ? value : {}];
      }),
    );
    key += `${name}:${present.join(',')};`;
  }
  return key === '' ? undefined : { key, capabilities: kept };
}

/** Where a round continued for another replica sends what it would stream: nowhere. */
const silentPeer: DownstreamPeer = {
  client: { info: undefined, capabilities: undefined, protocolVersion: undefined },
  notify: () => Promise.resolve(),
  request: () => Promise.reject({ code: RpcCodes.METHOD_NOT_FOUND, message: 'no client to ask' }),
};

const invalidParams = (message: string) => new RpcError(RpcCodes.INVALID_PARAMS, `Invalid params: ${message}`);

const stopping = () =>
  new GatewayError(ErrorCodes.UNAVAILABLE, 'the gateway is shutting down', { rpcCode: RpcCodes.CONNECTION_CLOSED });
