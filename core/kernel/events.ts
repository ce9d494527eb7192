/**
 * What happened, for plugins that observe (metrics, audit, tracing, access logs of their own):
 * one event per HTTP request, per MCP operation, per refused authentication, per change of an
 * upstream's state, per session opened or closed, and per rebuild of the catalogue. Delivered through the `onEvent` hook,
 * after the fact and without waiting: an observer can never slow down or fail a request. A
 * request's own events come once its answer is on its way (see after-answer.ts).
 */
import type { AuthFailureReason, McpTarget, RequestState } from './context.ts';
import type { UpstreamState } from './upstream-status.ts';

/** Why an MCP operation failed, from a small fixed set (fit for a metrics label). */
export type OperationFailure =
  /** The tool, prompt or resource does not exist. */
  | 'unknown_name'
  /** A permission policy refused it. */
  | 'denied'
  /** The upstream that owns it is not connected, or the connection failed. */
  | 'unavailable'
  | 'timeout'
  /** A rate limit refused it. */
  | 'rate_limited'
  /** The upstream answered with a JSON-RPC error. */
  | 'upstream_error'
  /** The request itself was invalid (missing or wrong params). */
  | 'invalid_request'
  /** The client cancelled it, or went away. */
  | 'cancelled'
  /** A plugin answered it before it reached its session (other than a denial). */
  | 'rejected'
  | 'internal';

export interface HttpEvent {
  readonly type: 'http';
  readonly requestId: string;
  readonly method: string;
  /** The route's name (`mcp`, `live`, `not-found`, ...), never the raw path. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly subject: string | undefined;
}

/** An item as a client named it: a tool or prompt name, a resource URI (whether it exists or not). */
export interface RequestedItem {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly exposed: string;
}

export interface OperationEvent {
  readonly type: 'operation';
  readonly requestId: string;
  readonly sessionId: string | undefined;
  /** The MCP endpoint it came to (kernel API 1.5; `default` is `/mcp`). */
  readonly endpoint: string;
  /** The MCP method, e.g. `tools/call`. */
  readonly method: string;
  /** What it named, as the client named it (also when that does not exist: a probe for a hidden tool). */
  readonly requested: RequestedItem | undefined;
  /** What it named, when that exists (the tool of a `tools/call`, ...). */
  readonly target: McpTarget | undefined;
  /**
   * The served tool it was made through, when a plugin's tool called it for the client (kernel API
   * 1.5): the client's own request named that tool, and has an event of its own.
   */
  readonly via?: McpTarget;
  /** `tool_error`: a `tools/call` whose result has `isError: true`. */
  readonly outcome: 'success' | 'tool_error' | 'error';
  readonly reason: OperationFailure | undefined;
  /** The JSON-RPC error the client got, if any. */
  readonly error: { readonly code: number; readonly message: string } | undefined;
  readonly durationMs: number;
  readonly subject: string | undefined;
  /** The arguments of a `tools/call` or `prompts/get` (observers decide whether to keep them). */
  readonly arguments: unknown;
  /** The state of the HTTP request that carried it: what the request's hooks left there (a span). */
  readonly state: RequestState;
}

export interface AuthEvent {
  readonly type: 'auth';
  readonly requestId: string;
  readonly route: string;
  readonly outcome: 'failure';
  readonly reason: AuthFailureReason;
}

/**
 * An upstream's change of state. `ready` after `ready`: the server was reached again on a new
 * control session without going down (it restarted and forgot the sessions, seen only as such).
 */
export interface UpstreamEvent {
  readonly type: 'upstream';
  readonly server: string;
  readonly state: UpstreamState;
  readonly previous: UpstreamState;
  readonly error: string | undefined;
  /** On `ready`: the protocol version spoken with the server (`2026-07-28`, or the 2025 one `initialize` agreed). */
  readonly protocolVersion?: string;
}

export interface SessionEvent {
  readonly type: 'session';
  readonly action: 'open' | 'close';
  readonly sessionId: string;
  readonly subject: string | undefined;
}

/**
 * The catalogue was rebuilt (kernel API 1.5): an upstream's lists or state changed, or a reload
 * did; `GatewayView.catalogue()` gives the new one. Told once the gateway is ready, then on each
 * rebuild, for plugins that keep something derived from it (a search index).
 */
export interface CatalogueEvent {
  readonly type: 'catalogue';
}

export type GatewayEvent = HttpEvent | OperationEvent | AuthEvent | UpstreamEvent | SessionEvent | CatalogueEvent;

/** An observer: its result is not awaited and its errors are logged, never raised. */
export type EventHook = (event: GatewayEvent) => void | Promise<void>;
