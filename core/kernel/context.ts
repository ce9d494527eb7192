/**
 * What hooks see. An HTTP request gets a Hono context carrying `GatewayVariables`; every MCP
 * operation (a list, a tool call, a prompt get, a resource read) gets an `OperationContext` built
 * from the HTTP request that carried it. Both share one `state` object, so that what an
 * `onRequest` hook learns (say, a rate-limit bucket) is visible to the operation hooks.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type {
  JSONRPCMessage,
  RequestId,
  CallToolRequest,
  CallToolResult,
  ClientCapabilities,
  GetPromptRequest,
  GetPromptResult,
  Implementation,
  Prompt,
  ReadResourceRequest,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from './protocol.ts';

export type { Logger };

/** Why a request could not be authenticated, in terms a client (and an operator) can act on. */
export type AuthFailureReason =
  /** No credential at all: no bearer token, no API key (the name predates other schemes; metrics count it so). */
  | 'missing_token'
  /** A credential of the right form that the plugin does not know: a wrong or revoked API key. */
  | 'invalid_credential'
  /** Not a JWT, or not one we could parse. */
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  /** Signed with a key the issuer does not publish (even after fetching its keys again). */
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  /** Issued for another service (RFC 8707): not accepted here. */
  | 'wrong_audience'
  /** A claim the gateway needs is missing or of the wrong shape. */
  | 'invalid_claims'
  /** The issuer's keys cannot be fetched now: not the client's fault, retry later. */
  | 'keys_unavailable';

/** Who is calling, as established by an auth plugin in `onRequest`. */
export interface Principal {
  /** A stable identifier of the caller: the JWT `sub`, an API key's owner, ... */
  readonly subject: string;
  /** The scopes the caller holds, after any claim mapping. */
  readonly scopes: readonly string[];
  /** The verified claims, as the auth plugin read them. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The plugin that authenticated the caller. */
  readonly provider?: string;
  /**
   * Set by `bearerAuth`: the caller holds an OAuth access token, so a refusal for want of scopes
   * may ask its client to step up (403 `insufficient_scope` pointing at the resource metadata).
   * Callers authenticated otherwise (API keys) get a plain 403 that sends them into no OAuth flow.
   * (An anonymous caller, when auth is optional, is still pointed at OAuth.)
   */
  readonly oauth?: boolean;
}

/**
 * State shared by the hooks of one request. Plugins add their own keys by declaration merging:
 * `declare module 'mcp-gateway' { interface RequestState { myKey?: number } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: plugins fill it in by declaration merging
export interface RequestState {}

/** How an HTTP route is guarded: auth plugins skip routes marked `none`. */
export type RouteAuth = 'required' | 'none';

export interface RouteInfo {
  /** A stable name for logs and metrics labels: `mcp`, `live`, `ready`, `not-found`, ... */
  readonly name: string;
  readonly auth: RouteAuth;
  /** Polled by machines (`RouteOptions.polled`): its access line is at debug. */
  readonly polled?: boolean;
}

/** The variables every HTTP request's Hono context carries (`c.get('principal')`, ...). */
export interface GatewayVariables {
  requestId: string;
  logger: Logger;
  route: RouteInfo;
  /** Set by an auth plugin; undefined for an anonymous caller. */
  principal: Principal | undefined;
  /** Set by an auth plugin that refused the request (`bearerAuth` does), for metrics and audit. */
  authFailure: AuthFailureReason | undefined;
  state: RequestState;
}

export interface GatewayEnv {
  Variables: GatewayVariables;
}

export type GatewayContext = Context<GatewayEnv>;

/** `onRequest` is a Hono middleware: call `next()` to go on, or return a Response to answer. */
export type RequestHook = MiddlewareHandler<GatewayEnv>;

/** The downstream client of an MCP session, as it introduced itself at `initialize`. */
export interface ClientIdentity {
  readonly info: Implementation | undefined;
  readonly capabilities: ClientCapabilities | undefined;
  readonly protocolVersion: string | undefined;
}

/** What every MCP operation hook knows about the request that caused it. */
export interface OperationContext {
  /** The MCP method, e.g. `tools/call`. */
  readonly method: string;
  /** The correlation id of the HTTP request (from `X-Request-Id` or generated). */
  readonly requestId: string;
  readonly sessionId: string | undefined;
  /**
   * The name of the MCP endpoint the request came to (kernel API 1.5): `default` for `/mcp`, else
   * a name under `endpoints:`. Each endpoint sees its own part of the catalogue.
   */
  readonly endpoint: string;
  readonly principal: Principal | undefined;
  readonly client: ClientIdentity;
  /** Aborted when the client cancels or disconnects, or the gateway shuts down. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly state: RequestState;
}

/**
 * One entry of the aggregated catalogue: where it comes from and what the client sees.
 * `value` is the client-facing object (a tool with its namespaced name, ...); `server` and
 * `name` say which upstream owns it and what that upstream calls it.
 */
export interface CatalogueItem<T> {
  readonly server: string;
  readonly name: string;
  readonly value: T;
}

/**
 * One upstream's lists as the engine is about to expose them, for `onCatalogue` hooks (kernel API
 * 1.4). A tool or prompt item's `name` is what the upstream calls it (where calls go; keep it) and
 * its `value.name` the local name the server's prefix will be put before (a hook may change it: a
 * rename). Resources and templates keep their URIs, which tool results refer to: filter them only.
 */
export interface UpstreamLists {
  readonly server: string;
  /** False while the server is down (listed for `when_down: error`): its lists may be old or empty. */
  readonly ready: boolean;
  readonly tools: readonly CatalogueItem<Tool>[];
  readonly prompts: readonly CatalogueItem<Prompt>[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

export type ToolItem = CatalogueItem<Tool>;
export type PromptItem = CatalogueItem<Prompt>;
export type ResourceItem = CatalogueItem<Resource>;
export type ResourceTemplateItem = CatalogueItem<ResourceTemplate>;

/**
 * What a 2026-07-28 client's retry of a multi-round-trip request adds to its params, after an
 * `input_required` result: its answers to the server's input requests, by key, and the server's
 * state echoed back. A hook that keeps results (a cache) must not answer such a retry itself.
 */
export interface RetryParams {
  readonly inputResponses?: Readonly<Record<string, unknown>>;
  readonly requestState?: string;
}

/** Routing facts shared by the operations that target one upstream item. */
interface TargetedOperation<Params> extends OperationContext {
  /** The upstream server (its `name` in `proxy.servers`). */
  readonly server: string;
  /** The request's params as the client sent them (`_meta` included); forwarded upstream. */
  readonly params: Readonly<Params & RetryParams>;
  /**
   * Headers for this operation's upstream request (HTTP transports): a hook may add correlation
   * headers (`traceparent`) before calling `next()`. The gateway's `x-request-id` is always sent.
   */
  readonly upstreamHeaders: Record<string, string>;
}

export interface ToolCallContext extends TargetedOperation<CallToolRequest['params']> {
  /** The tool's name as the upstream knows it (no namespace). */
  readonly tool: string;
  /** The name the client called (namespaced). */
  readonly name: string;
  /** The tool as listed, annotations included. */
  readonly definition: Tool;
  /** The arguments to send upstream; a hook may replace them before calling `next()`. */
  arguments: Record<string, unknown> | undefined;
}

export interface PromptGetContext extends TargetedOperation<GetPromptRequest['params']> {
  /** The prompt's name as the upstream knows it. */
  readonly prompt: string;
  /** The name the client asked for (namespaced). */
  readonly name: string;
  readonly definition: Prompt;
  arguments: Record<string, string> | undefined;
}

export interface ResourceReadContext extends TargetedOperation<ReadResourceRequest['params']> {
  /** The URI sent upstream. */
  readonly uri: string;
}

/** The upstream item an MCP request names, when the gateway can tell. */
export interface McpTarget {
  readonly kind: 'tool' | 'prompt' | 'resource';
  /** The upstream server (its `name` in `proxy.servers`). */
  readonly server: string;
  /** The item's name as the upstream knows it (a tool or prompt name, a resource URI). */
  readonly name: string;
  /** The name or URI as the client sent it. */
  readonly exposed: string;
}

/** A JSON-RPC message POSTed to `/mcp`, as `onMcpMessage` hooks see it. */
export interface McpMessageContext {
  readonly message: JSONRPCMessage;
  /** The method of a request or notification; undefined for a response to the server's request. */
  readonly method: string | undefined;
  /** The request's id; undefined for notifications and responses. */
  readonly id: RequestId | undefined;
  /** What a `tools/call`, `prompts/get` or `resources/read` (or subscribe) targets, if it exists. */
  readonly target: McpTarget | undefined;
  /** Undefined for `initialize`, which opens the session. */
  readonly sessionId: string | undefined;
  /** The name of the MCP endpoint the message was POSTed to (kernel API 1.5), `default` for `/mcp`. */
  readonly endpoint: string;
  readonly principal: Principal | undefined;
  readonly requestId: string;
  readonly logger: Logger;
  readonly state: RequestState;
  /** The HTTP request's Hono context. */
  readonly http: GatewayContext;
}

export type { CallToolResult, GetPromptResult, ReadResourceResult };
