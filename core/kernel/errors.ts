/**
 * Errors with stable codes. Every failure the gateway reports carries a `GW_ERR_*` code that
 * scripts and docs can rely on, and, when a plugin caused it, the plugin and hook names, so that
 * an operator reads which plugin to fix rather than a stack trace.
 */

export const ErrorCodes = {
  /** The configuration is invalid (wrong type, unknown key, bad value). */
  CONFIG: 'GW_ERR_CONFIG',
  /** A `${VAR}` in the configuration names an environment variable that is not set. */
  ENV_MISSING: 'GW_ERR_ENV_MISSING',
  /** The configuration file given does not exist or cannot be read. */
  CONFIG_NOT_FOUND: 'GW_ERR_CONFIG_NOT_FOUND',
  /** A plugin named in `plugins:` or `--plugins` cannot be found. */
  PLUGIN_NOT_FOUND: 'GW_ERR_PLUGIN_NOT_FOUND',
  /** A plugin module does not export a valid plugin definition, or failed to import. */
  PLUGIN_INVALID: 'GW_ERR_PLUGIN_INVALID',
  /** A plugin's options do not match its schema. */
  PLUGIN_OPTIONS: 'GW_ERR_PLUGIN_OPTIONS',
  /** A plugin needs another plugin that is not loaded before it. */
  PLUGIN_REQUIRES: 'GW_ERR_PLUGIN_REQUIRES',
  /** A plugin was written for another kernel API version. */
  PLUGIN_KERNEL: 'GW_ERR_PLUGIN_KERNEL',
  /** The same plugin is listed twice. */
  PLUGIN_DUPLICATE: 'GW_ERR_PLUGIN_DUPLICATE',
  /** A plugin's setup threw. */
  SETUP_FAILED: 'GW_ERR_SETUP_FAILED',
  /** A plugin's setup did not finish in time. */
  SETUP_TIMEOUT: 'GW_ERR_SETUP_TIMEOUT',
  /** A plugin returned a hook name the kernel does not know. */
  UNKNOWN_HOOK: 'GW_ERR_UNKNOWN_HOOK',
  /** A hook threw or returned something the kernel cannot use. */
  HOOK_FAILED: 'GW_ERR_HOOK_FAILED',
  /** An onion hook called `next()` more than once. */
  NEXT_CALLED_TWICE: 'GW_ERR_NEXT_CALLED_TWICE',
  /** A service was used that no plugin provides, or provided twice. */
  SERVICE: 'GW_ERR_SERVICE',
  /** A server's `type:` has no transport plugin. */
  TRANSPORT_MISSING: 'GW_ERR_TRANSPORT_MISSING',
  /** Two servers expose the same tool, prompt or resource name. */
  NAME_CLASH: 'GW_ERR_NAME_CLASH',
  /** A client named a tool, prompt or resource that no upstream offers. */
  UNKNOWN_NAME: 'GW_ERR_UNKNOWN_NAME',
  /** A client's request is malformed (a missing or wrong parameter, an unknown method). */
  INVALID_PARAMS: 'GW_ERR_INVALID_PARAMS',
  /** The upstream that owns the name is not connected. */
  UPSTREAM_UNAVAILABLE: 'GW_ERR_UPSTREAM_UNAVAILABLE',
  /**
   * The upstream no longer knows the session a request was sent in (it restarted, or expired the
   * session), so it did nothing with the request: the kernel opens a new session and sends the
   * request again, once, without marking a server that answers down.
   */
  UPSTREAM_SESSION_LOST: 'GW_ERR_UPSTREAM_SESSION_LOST',
  /** The upstream did not answer in time. */
  UPSTREAM_TIMEOUT: 'GW_ERR_UPSTREAM_TIMEOUT',
  /** The upstream answered with something that is not MCP. */
  UPSTREAM_PROTOCOL: 'GW_ERR_UPSTREAM_PROTOCOL',
  /** A permission policy denied the operation. */
  FORBIDDEN: 'GW_ERR_FORBIDDEN',
  /** A rate limit refused the request; `data.retryAfterMs` says when to retry. */
  RATE_LIMITED: 'GW_ERR_RATE_LIMITED',
  /** The gateway is at its session limit or shutting down. */
  UNAVAILABLE: 'GW_ERR_UNAVAILABLE',
  /** The HTTP server cannot listen (port in use, permission denied). */
  LISTEN: 'GW_ERR_LISTEN',
  /** The command line is wrong. */
  USAGE: 'GW_ERR_USAGE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** JSON-RPC error codes used by MCP. */
export const RpcCodes = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** MCP's "connection closed / request timed out" range starts at -32000. */
  CONNECTION_CLOSED: -32000,
  REQUEST_TIMEOUT: -32001,
  /** The caller may not do this (a permission policy denied it); the gateway's own code. */
  FORBIDDEN: -32003,
  /** A rate limit refused the request (the gateway's own code, "429" in the server-error range). */
  RATE_LIMITED: -32029,
} as const;

export interface GatewayErrorOptions {
  plugin?: string;
  hook?: string;
  /** The JSON-RPC error code a client sees when this error ends an MCP request. */
  rpcCode?: number;
  /** Extra JSON-RPC error data for the client. */
  data?: Record<string, unknown>;
  /** The HTTP status when this error ends an HTTP request outside MCP. */
  status?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  plugin?: string;
  hook?: string;
  readonly rpcCode: number;
  readonly data?: Record<string, unknown>;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.rpcCode = options.rpcCode ?? RpcCodes.INTERNAL_ERROR;
    this.data = options.data;
    this.status = options.status ?? 500;
  }

  /** One line for logs and the terminal: code, where, what. */
  describe(): string {
    const where = [this.plugin && `plugin ${this.plugin}`, this.hook && `hook ${this.hook}`].filter(Boolean).join(', ');
    return `${this.code}${where ? ` (${where})` : ''}: ${this.message}`;
  }
}

/**
 * A JSON-RPC error to send to the client as is: an upstream's own error (code, message and data
 * forwarded verbatim) or one the gateway produced. The SDK's protocol layer reads exactly
 * `code`, `message` and `data` from a thrown object, so this is what request handlers throw.
 */
export class RpcError extends Error {
  readonly code: number;
  readonly data?: unknown;
  /** True for an upstream's own error, forwarded as it came. */
  readonly fromUpstream: boolean;

  constructor(code: number, message: string, data?: unknown, fromUpstream = false) {
    super(message);
    this.name = 'RpcError';
    this.code = code;
    if (data !== undefined) this.data = data;
    this.fromUpstream = fromUpstream;
  }
}

/** Tag an error with the plugin and hook it came from, unless a deeper layer already did. */
export function tagError(error: unknown, plugin: string, hook: string): GatewayError | RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof GatewayError) {
    error.plugin ??= plugin;
    error.hook ??= hook;
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError(ErrorCodes.HOOK_FAILED, message, { plugin, hook, cause: error });
}

export const isGatewayError = (e: unknown): e is GatewayError => e instanceof GatewayError;

/** See `ErrorCodes.UPSTREAM_SESSION_LOST`. */
export const isSessionLost = (e: unknown): boolean =>
  e instanceof GatewayError && e.code === ErrorCodes.UPSTREAM_SESSION_LOST;
