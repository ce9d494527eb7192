/**
 * A span per JSON-RPC request POSTed to `/mcp`, child of the HTTP span, named after the method
 * and what it targets as the client named it (`tools/call files__echo`). The gateway's
 * `operation` event (found through the request's state) tells the outcome; a request that gets
 * none (`initialize`, `ping`, a session the endpoint does not know) ends with its response. The
 * event comes once the answer is on its way, often after its body ended: the span then ends at
 * that time, within its HTTP span, not when the event came.
 */
import { SpanKind, type Span, type Tracer } from '@opentelemetry/api';
import type { GatewayEvent, McpMessageContext, OperationEvent, OperationHook } from 'mcp-gateway';
import { ATTR_JSONRPC_REQUEST_ID, ATTR_MCP_SESSION_ID, spanName, targetAttributes } from './attributes.ts';
import { whenBodyEnds } from './body-end.ts';
import { failureOf, recordEvent, recordFailure, recordSuccess, type Failure } from './outcome.ts';
import { under } from './propagation.ts';
import './state.ts';

export interface OperationHooks {
  readonly onMcpMessage: OperationHook<McpMessageContext, Response>;
  readonly onEvent: (event: GatewayEvent) => void;
}

/** `eventsDelivered`: the gateway's (`GatewayView.eventsDelivered`). */
export function operationSpans(tracer: Tracer, eventsDelivered: () => Promise<void>): OperationHooks {
  return {
    async onMcpMessage(ctx, next) {
      const { method, target } = ctx;
      // Notifications and responses to the server's requests are not operations.
      if (method === undefined || ctx.id === undefined) return next();
      const tracing = (ctx.state.tracing ??= {});
      const span = tracer.startSpan(
        spanName(method, target?.kind, target?.exposed),
        {
          kind: SpanKind.SERVER,
          attributes: {
            ...targetAttributes(method, target?.server, target?.kind, target?.exposed),
            [ATTR_JSONRPC_REQUEST_ID]: String(ctx.id),
            ...(ctx.sessionId !== undefined && { [ATTR_MCP_SESSION_ID]: ctx.sessionId }),
          },
        },
        under(tracing.http),
      );
      tracing.operation = span;
      // Without an event, the response says how it went.
      let failure: Failure | undefined;
      let endedAt: number | undefined;
      let finished = false;
      const finish = (event?: OperationEvent) => {
        if (finished) return;
        finished = true;
        if (event) recordEvent(span, event);
        else if (failure) recordFailure(span, failure);
        else recordSuccess(span);
        span.end(endedAt);
      };
      tracing.finishOperation = finish;
      let response: Response;
      try {
        response = await next();
      } catch (error) {
        failure = failureOf(error);
        finish();
        throw error;
      }
      if (method === 'initialize') setSessionId(span, response);
      if (response.status >= 400) failure = await failureIn(response);
      // The event comes once the answer is on its way (GatewayView.eventsDelivered). For a request
      // a plugin answered, it is queued once the endpoint has read a copy of the answer, which reads
      // this body too: so wait for the end of the batch that delivers it, but end the span when the
      // body ended.
      return whenBodyEnds(response, () => {
        endedAt = performance.now();
        eventsDelivered()
          .then(eventsDelivered)
          .then(() => finish());
      });
    },
    onEvent(event) {
      if (event.type === 'operation') event.state.tracing?.finishOperation?.(event);
    },
  };
}

function setSessionId(span: Span, response: Response): void {
  const id = response.headers.get('mcp-session-id');
  if (id) span.setAttribute(ATTR_MCP_SESSION_ID, id);
}

/** The JSON-RPC error of a refusal (`Session not found`, ...), or its HTTP status. */
async function failureIn(response: Response): Promise<Failure> {
  const body = response.headers.get('content-type')?.includes('application/json')
    ? ((await response
        .clone()
        .json()
        .catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined)
    : undefined;
  const { code, message } = body?.error ?? {};
  return {
    code: typeof code === 'number' ? code : response.status,
    message: typeof message === 'string' ? message : `HTTP ${response.status}`,
  };
}
