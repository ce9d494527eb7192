/** How an MCP operation ended, for the access log and the `operation` event. */
import { ErrorCodes, GatewayError, RpcCodes, RpcError, type ErrorCode } from '../../kernel/errors.ts';
import type { OperationEvent, OperationFailure } from '../../kernel/events.ts';

const failures: Partial<Record<ErrorCode, OperationFailure>> = {
  [ErrorCodes.UNKNOWN_NAME]: 'unknown_name',
  [ErrorCodes.FORBIDDEN]: 'denied',
  [ErrorCodes.UPSTREAM_UNAVAILABLE]: 'unavailable',
  [ErrorCodes.UPSTREAM_SESSION_LOST]: 'unavailable',
  [ErrorCodes.UPSTREAM_PROTOCOL]: 'unavailable',
  [ErrorCodes.UNAVAILABLE]: 'unavailable',
  [ErrorCodes.UPSTREAM_TIMEOUT]: 'timeout',
  [ErrorCodes.INVALID_PARAMS]: 'invalid_request',
  [ErrorCodes.RATE_LIMITED]: 'rate_limited',
};

type Outcome = Pick<OperationEvent, 'outcome' | 'reason' | 'error'>;

export function successOutcome(method: string, result: unknown): Outcome {
  const isError = method === 'tools/call' && (result as { isError?: unknown } | undefined)?.isError === true;
  return { outcome: isError ? 'tool_error' : 'success', reason: undefined, error: undefined };
}

/** `error` is what the client was sent (already converted); `cause` what was thrown. */
export function failureOutcome(cause: unknown, error: RpcError, cancelled: boolean): Outcome {
  let reason: OperationFailure;
  if (cancelled) reason = 'cancelled';
  else if (cause instanceof GatewayError) reason = failures[cause.code] ?? 'internal';
  else if (cause instanceof RpcError)
    reason = cause.fromUpstream ? 'upstream_error' : cause.code === RpcCodes.FORBIDDEN ? 'denied' : 'rejected';
  else reason = 'internal';
  return { outcome: 'error', reason, error: { code: error.code, message: error.message } };
}
