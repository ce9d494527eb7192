/**
 * Label values from small fixed sets, so that no request can create a new time series: what a
 * client sends (an HTTP verb, an MCP method, a tool name that matches nothing) is mapped onto a
 * known value or a single catch-all before it becomes a label.
 */
import type { AuthFailureReason, OperationEvent, OperationFailure } from 'mcp-gateway';

/** The `proxy` and `tool` of a `tools/call` whose name matches no tool of any upstream. */
export const UNKNOWN = '(unknown)';

const httpMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The HTTP method, or `OTHER`. */
export const httpMethod = (method: string): string => (httpMethods.has(method) ? method : 'OTHER');

/** The numeric status code (a closed range by nature). */
export const httpStatus = (status: number): string =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';

const mcpMethods = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
]);

/** The MCP method, or `other` (a client may send any method name). */
export const mcpMethod = (method: string): string => (mcpMethods.has(method) ? method : 'other');

/** Every reason the kernel reports; a `Record` so that a new reason fails the typecheck until it is listed. */
const failures: Record<OperationFailure, true> = {
  unknown_name: true,
  denied: true,
  unavailable: true,
  timeout: true,
  rate_limited: true,
  upstream_error: true,
  invalid_request: true,
  cancelled: true,
  rejected: true,
  internal: true,
};

/** Why an operation failed: the kernel's reason, `tool_error` for a result with `isError`, `none` for a success. */
export function operationReason(event: Pick<OperationEvent, 'outcome' | 'reason'>): string {
  if (event.outcome === 'success') return 'none';
  if (event.outcome === 'tool_error') return 'tool_error';
  return event.reason && Object.hasOwn(failures, event.reason) ? event.reason : 'internal';
}

const authFailures = new Set<AuthFailureReason>([
  'missing_token',
  'invalid_credential',
  'malformed',
  'algorithm_not_allowed',
  'bad_signature',
  'unknown_key',
  'expired',
  'not_yet_valid',
  'wrong_issuer',
  'wrong_audience',
  'invalid_claims',
  'keys_unavailable',
]);

/** Why an authentication was refused, or `other` (a third-party auth plugin's own reason). */
export const authReason = (reason: string): string =>
  authFailures.has(reason as AuthFailureReason) ? reason : 'other';
