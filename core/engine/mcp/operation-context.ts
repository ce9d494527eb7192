/**
 * The context of one MCP operation as its hooks see it (`OperationContext`, and with the
 * operation's own fields `ToolCallContext`, ...), carrying what the kernel needs besides under a
 * key plugins do not see. Its `signal` is made when first read: the kernel itself listens to the
 * call's `Cancellation`, and most calls never need an `AbortSignal` (see `Cancellation`).
 *
 * A class, not an object literal: a literal with a getter made per call kept every call's objects
 * alive through V8's minor GCs (measured on the request scope), and so did a WeakMap keyed by
 * the context, or spreading a base context into a large literal. The constructor names every
 * field of `OperationContext`, so a new one fails the build until it is copied here.
 */
import type { Cancellation } from '../../lib/cancellation.ts';
import type { ClientIdentity, Logger, OperationContext, Principal, RequestState } from '../../kernel/context.ts';
import type { DownstreamPeer } from '../upstream/peer.ts';
import type { UpstreamLink } from '../upstream/link.ts';
import type { Upstream } from '../upstream/upstream.ts';

/** The downstream session an operation runs in, as the proxy needs it. */
export interface SessionHandle {
  /** The session's own upstream session with this server (per-client mode), opened on first use. */
  link(upstream: Upstream): UpstreamLink;
  openLinks(): readonly UpstreamLink[];
  /** What the session's client asked with `logging/setLevel`. */
  logLevel: string | undefined;
  /** The session itself, for subscriptions and messages outside any request. */
  readonly peer: DownstreamPeer;
}

/** What the proxy knows of a call it sends to an upstream. */
export type RoutedCall = Pick<OperationContext, 'requestId' | 'principal'> & {
  readonly server: string;
  /** The exposed name of the tool or prompt called. */
  readonly name?: string;
  readonly upstreamHeaders?: Readonly<Record<string, string>>;
};

/**
 * Sends a caller's upstream calls its own way: a 2026-07-28 caller cannot be sent requests, so an
 * upstream that asks it something needs rounds of `input_required` (input-bridge.ts). Undefined
 * when the call takes the usual way.
 */
export interface CallRouter {
  route(
    upstream: Upstream,
    call: RoutedCall,
    runtime: OperationRuntime,
    method: string,
    params: Record<string, unknown>,
    /** The usual way, with these params. */
    send: (params: Record<string, unknown>) => Promise<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> | undefined;
}

/** What an operation needs besides its public context: its cancellation, where to answer, its session. */
export interface OperationRuntime {
  /** What `signal` follows: the client cancelled or went away, or the gateway stopped waiting. */
  readonly cancellation: Cancellation;
  /** Sends on the stream of the request being served. */
  readonly peer: DownstreamPeer;
  readonly session: SessionHandle | undefined;
  /** How a caller that cannot be sent requests has its upstream calls made. */
  readonly router?: CallRouter;
  /** The log level the caller asked for, when it has no session to keep it (a 2026-07-28 request). */
  readonly logLevel?: string;
}

/** Where a request's scope is read from: its id, logger, principal and state. */
type RequestFields = Pick<OperationContext, 'requestId' | 'endpoint' | 'logger' | 'principal' | 'state'>;

export const RUNTIME = Symbol('operation runtime');

export class OperationCall implements OperationContext {
  readonly method: string;
  readonly requestId: string;
  readonly sessionId: string | undefined;
  readonly endpoint: string;
  readonly principal: Principal | undefined;
  readonly client: ClientIdentity;
  readonly logger: Logger;
  readonly state: RequestState;
  readonly [RUNTIME]: OperationRuntime;

  constructor(method: string, request: RequestFields, sessionId: string | undefined, runtime: OperationRuntime) {
    this.method = method;
    this.requestId = request.requestId;
    this.sessionId = sessionId;
    this.endpoint = request.endpoint;
    this.principal = request.principal;
    this.client = runtime.peer.client;
    this.logger = request.logger;
    this.state = request.state;
    this[RUNTIME] = runtime;
  }

  get signal(): AbortSignal {
    return this[RUNTIME].cancellation.signal;
  }
}

/** The context of an operation on a named item: the base context's fields, then the operation's own. */
export function operation<T extends object>(
  base: OperationContext,
  runtime: OperationRuntime,
  fields: T,
): OperationCall & T {
  return Object.assign(new OperationCall(base.method, base, base.sessionId, runtime), fields);
}
