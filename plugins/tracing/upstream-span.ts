/**
 * The CLIENT span of the call to the upstream, child of the operation span, as close to the call
 * as a hook gets (`post`: after every other plugin's hooks). Its `traceparent` (and the trace's
 * `tracestate`) go in the upstream request's headers, so an instrumented upstream continues the
 * trace. Retries after a lost connection happen inside it.
 */
import { SpanKind, type Attributes, type Tracer } from '@opentelemetry/api';
import type {
  CallToolResult,
  GetPromptResult,
  McpTarget,
  OperationHook,
  PluginHooks,
  PromptGetContext,
  ReadResourceResult,
  ResourceReadContext,
  ToolCallContext,
} from 'mcp-gateway';
import { spanName, targetAttributes } from './attributes.ts';
import { failureOf, recordFailure, recordSuccess, recordToolError } from './outcome.ts';
import { inject, under } from './propagation.ts';
import './state.ts';

type Targeted = ToolCallContext | PromptGetContext | ResourceReadContext;
type UpstreamHooks = Required<Pick<PluginHooks, 'onCallTool' | 'onGetPrompt' | 'onReadResource'>>;

export function upstreamSpans(tracer: Tracer, serverAttributes: (server: string) => Attributes): UpstreamHooks {
  function traced<Ctx extends Targeted, Result>(
    kind: McpTarget['kind'],
    nameOf: (ctx: Ctx) => string,
  ): OperationHook<Ctx, Result> {
    return async (ctx, next) => {
      const name = nameOf(ctx);
      const span = tracer.startSpan(
        spanName(ctx.method, kind, name),
        {
          kind: SpanKind.CLIENT,
          attributes: { ...targetAttributes(ctx.method, ctx.server, kind, name), ...serverAttributes(ctx.server) },
        },
        under(ctx.state.tracing?.operation ?? ctx.state.tracing?.http),
      );
      inject(span, ctx.upstreamHeaders);
      try {
        const result = await next();
        if ((result as { isError?: unknown }).isError === true) recordToolError(span);
        else recordSuccess(span);
        return result;
      } catch (error) {
        const failure = failureOf(error);
        // A JSON-RPC error is the upstream's answer; anything else is the gateway's own failure.
        if (failure.reason !== 'upstream_error') span.recordException(error as Error);
        recordFailure(span, failure);
        throw error;
      } finally {
        span.end();
      }
    };
  }
  return {
    onCallTool: { order: 'post', handler: traced<ToolCallContext, CallToolResult>('tool', (ctx) => ctx.tool) },
    onGetPrompt: { order: 'post', handler: traced<PromptGetContext, GetPromptResult>('prompt', (ctx) => ctx.prompt) },
    onReadResource: {
      order: 'post',
      handler: traced<ResourceReadContext, ReadResourceResult>('resource', (ctx) => ctx.uri),
    },
  };
}
