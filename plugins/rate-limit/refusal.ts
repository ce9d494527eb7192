/**
 * How a refusal reads. Over a limit: HTTP 429 for a request to /mcp, a JSON-RPC error inside the
 * session for a `tools/call`; both name the rule and say when to retry (`Retry-After` in whole
 * seconds, `data.retryAfterMs`). With `on_store_error: closed` and the store unreachable: HTTP 503,
 * or the same JSON-RPC error code with a message saying the limit could not be checked.
 */
import { ErrorCodes, GatewayError, RpcCodes } from 'mcp-gateway';
import { rpcErrorResponse } from 'mcp-gateway/http';
import type { Rule } from './rules.ts';

/** How long a client is told to wait when the store could not be asked. */
export const STORE_ERROR_RETRY_MS = 1000;

export interface Refusal {
  readonly rule: Rule;
  readonly retryAfterMs: number;
  /** 429 over a limit; 503 when the limit could not be checked. */
  readonly status: 429 | 503;
}

/** Whole seconds, rounded up, at least 1: what `Retry-After` says. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function refusalMessage({ rule, retryAfterMs, status }: Refusal): string {
  const retry = `retry after ${retryAfterSeconds(retryAfterMs)} s`;
  if (status === 503) return `Rate limit "${rule.name}" could not be checked (its store is unreachable); ${retry}`;
  return `Rate limit "${rule.name}" exceeded: ${rule.description}; ${retry}`;
}

const data = (refusal: Refusal) => ({ limit: refusal.rule.name, retryAfterMs: refusal.retryAfterMs });

/** The answer to an HTTP request to /mcp: the message is not read yet, hence `id: null`. */
export function refusalResponse(refusal: Refusal): Response {
  const retryAfter = { 'retry-after': String(retryAfterSeconds(refusal.retryAfterMs)) };
  return rpcErrorResponse(refusal.status, RpcCodes.RATE_LIMITED, refusalMessage(refusal), retryAfter, data(refusal));
}

/** What `onCallTool` throws: the kernel sends it to the client as a JSON-RPC error. */
export function refusalError(refusal: Refusal): GatewayError {
  return new GatewayError(ErrorCodes.RATE_LIMITED, refusalMessage(refusal), {
    rpcCode: RpcCodes.RATE_LIMITED,
    status: refusal.status,
    data: data(refusal),
  });
}
