/**
 * What the tracing plugin keeps in a request's `state` (shared by its `onRequest` hook and the
 * operation hooks of the request), and the service it provides: typed by declaration merging on
 * `mcp-gateway`, as any third-party plugin would. Spans travel from hook to hook here, never
 * through AsyncLocalStorage.
 */
import type { Span } from '@opentelemetry/api';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OperationEvent } from 'mcp-gateway';

export interface TracingState {
  /** The HTTP request's SERVER span: the parent of the operation span. */
  readonly http?: Span;
  /** The MCP operation's span: the parent of the upstream CLIENT span. */
  operation?: Span;
  /** Ends the operation span: with the gateway's `operation` event, or without one when the response ended first. */
  finishOperation?: (event?: OperationEvent) => void;
}

/** The service name under which `exporter: memory` provides its exporter (for tests). */
export const MEMORY_EXPORTER = 'tracing:memory';

declare module 'mcp-gateway' {
  interface RequestState {
    tracing?: TracingState;
  }
  interface Services {
    /** The finished spans, with `tracing: { exporter: memory }`. */
    'tracing:memory': InMemorySpanExporter;
  }
}
