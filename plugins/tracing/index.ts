/**
 * Distributed tracing with OpenTelemetry: a SERVER span per HTTP request (continuing the client's
 * W3C `traceparent`), a span per MCP request inside it, and a CLIENT span per upstream call, whose
 * `traceparent` the upstream receives. Spans are exported with OTLP over HTTP (configured by the
 * standard OTEL_* variables), to the console, or kept in memory for tests. Spans pass from hook
 * to hook through the request's `state`.
 */
import type { Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { definePlugin } from 'mcp-gateway';
import { createExporter } from './exporter.ts';
import { httpSpans } from './http-span.ts';
import { operationSpans } from './operation-span.ts';
import { tracingOptions, type TracingOptions } from './options.ts';
import { createProvider } from './provider.ts';
import { MEMORY_EXPORTER } from './state.ts';
import { upstreamAttributes } from './upstreams.ts';
import { upstreamSpans } from './upstream-span.ts';

const VERSION = '1.0.0';

export default definePlugin({
  name: 'tracing',
  version: VERSION,
  kernel: '^1.0.0',
  section: 'tracing',
  configSchema: tracingOptions,
  setup(ctx) {
    const { logger } = ctx;
    const start = (options: TracingOptions, exporter = createExporter(options, logger)) => {
      const provider = createProvider(options, exporter, ctx.gateway.version);
      logger.info(
        { exporter: options.exporter, endpoint: options.endpoint, sampling: options.sampling },
        'tracing enabled',
      );
      return { exporter, provider, tracer: provider.getTracer('mcp-gateway-tracing', VERSION) };
    };
    /** The exporter and sampling in force; a reload (SIGHUP) starts new ones and flushes the old. */
    let current = start(ctx.options);
    if (current.exporter instanceof InMemorySpanExporter) ctx.provide(MEMORY_EXPORTER, current.exporter);
    // The hooks are made once, over a tracer that is always the current one.
    const tracer: Tracer = {
      startSpan: (...args) => current.tracer.startSpan(...args),
      startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) =>
        (current.tracer.startActiveSpan as (...a: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
    };
    const operations = operationSpans(tracer, ctx.gateway.eventsDelivered);
    return {
      async onReload({ options }) {
        const previous = current;
        // A memory exporter is kept (it is what the tests read), so the old provider is only flushed.
        const keep = options.exporter === 'memory' && previous.exporter instanceof InMemorySpanExporter;
        current = start(options, keep ? previous.exporter : undefined);
        await previous.provider.forceFlush();
        if (!keep) await previous.provider.shutdown();
      },
      onRequest: { order: 'pre', handler: httpSpans(tracer) },
      // Before other plugins' checks, so that a denied request has its operation span too.
      onMcpMessage: { order: 'pre', handler: operations.onMcpMessage },
      onEvent: operations.onEvent,
      ...upstreamSpans(tracer, upstreamAttributes(ctx.config.proxy.servers)),
      // Spans still in the batch leave before the gateway exits.
      onShutdown: async () => {
        await current.provider.forceFlush();
        await current.provider.shutdown();
      },
    };
  },
});
