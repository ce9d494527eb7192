/**
 * W3C Trace Context (`traceparent`, `tracestate`): read from the client's request, written into
 * the upstream request's headers. The propagator is used directly, never registered globally.
 */
import { ROOT_CONTEXT, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();

const fromHeaders: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** The client's span, as the parent of the gateway's first span; the root context without one. */
export function clientContext(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, fromHeaders);
}

/** A context whose active span is `span`: the parent of spans started with it. */
export const under = (span: Span | undefined): Context => (span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT);

/** Add `span`'s `traceparent` (and the trace's `tracestate`) to outgoing headers. */
export function inject(span: Span, headers: Record<string, string>): void {
  propagator.inject(under(span), headers, {
    set: (carrier, key, value) => {
      carrier[key] = value;
    },
  });
}
