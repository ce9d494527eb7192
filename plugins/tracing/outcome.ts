/**
 * How a span records the way its work ended, the same for the operation and the upstream call:
 * `mcp_gateway.outcome`, and on failure the ERROR status (described by the JSON-RPC error's
 * message), `error.type` (the JSON-RPC error code, or `tool_error` for a tool result with
 * `isError: true`, as the MCP conventions say) and `rpc.response.status_code`.
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { GatewayError, type OperationEvent, RpcCodes, RpcError } from 'mcp-gateway';
import { ATTR_GATEWAY_OUTCOME, ATTR_RPC_RESPONSE_STATUS_CODE } from './attributes.ts';

/** Why an operation failed, by the gateway's classification (`unknown_name`, `unavailable`, ...). */
export const ATTR_GATEWAY_FAILURE = 'mcp_gateway.failure';

export interface Failure {
  readonly code: number;
  readonly message: string;
  /** The gateway's classification, when known. */
  readonly reason?: string;
}

export function recordSuccess(span: Span): void {
  span.setAttribute(ATTR_GATEWAY_OUTCOME, 'success');
}

export function recordToolError(span: Span): void {
  span.setAttributes({ [ATTR_GATEWAY_OUTCOME]: 'tool_error', [ATTR_ERROR_TYPE]: 'tool_error' });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool result has isError: true' });
}

export function recordFailure(span: Span, failure: Failure): void {
  span.setAttributes({
    [ATTR_GATEWAY_OUTCOME]: 'error',
    [ATTR_ERROR_TYPE]: String(failure.code),
    [ATTR_RPC_RESPONSE_STATUS_CODE]: String(failure.code),
    ...(failure.reason !== undefined && { [ATTR_GATEWAY_FAILURE]: failure.reason }),
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

/** What the gateway's `operation` event says of how an operation ended. */
export function recordEvent(span: Span, event: OperationEvent): void {
  if (event.outcome === 'success') recordSuccess(span);
  else if (event.outcome === 'tool_error') recordToolError(span);
  else
    recordFailure(span, {
      code: event.error?.code ?? RpcCodes.INTERNAL_ERROR,
      message: event.error?.message ?? 'failed',
      reason: event.reason,
    });
}

/** The JSON-RPC error a thrown error becomes (an upstream's own error keeps its code). */
export function failureOf(error: unknown): Failure {
  if (error instanceof RpcError)
    return { code: error.code, message: error.message, ...(error.fromUpstream && { reason: 'upstream_error' }) };
  if (error instanceof GatewayError) return { code: error.rpcCode, message: error.message };
  return { code: RpcCodes.INTERNAL_ERROR, message: error instanceof Error ? error.message : String(error) };
}
