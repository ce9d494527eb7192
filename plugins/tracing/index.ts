/**
 * Distributed tracing with OpenTelemetry: a SERVER span per HTTP request (continuing the client's
 * W3C `traceparent`), a span per MCP request inside it, and a CLIENT span per upstream call, whose
 * `traceparent` the upstream receives. Spans are exported with OTLP over HTTP (configured by the
 * standard OTEL_* variables), to the console, or kept in memory for tests. Spans pass from hook
 * to hook through the request's `state`.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { definePlugin } from 'mcp-gateway';
import { createExporter } from './exporter.ts';
import { httpSpans } from './http-span.ts';
import { operationSpans } from './operation-span.ts';
import { tracingOptions } from './options.ts';
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
    const { options, logger } = ctx;
    const exporter = createExporter(options, logger);
    const provider = createProvider(options, exporter, ctx.gateway.version);
    if (exporter instanceof InMemorySpanExporter) ctx.provide(MEMORY_EXPORTER, exporter);
    const tracer = provider.getTracer('mcp-gateway-tracing', VERSION);
    const operations = operationSpans(tracer);
    logger.info({ exporter: options.exporter, endpoint: options.endpoint, sampling: options.sampling }, 'tracing enabled');
    return {
      onRequest: { order: 'pre', handler: httpSpans(tracer) },
      // Before other plugins' checks, so that a denied request has its operation span too.
      onMcpMessage: { order: 'pre', handler: operations.onMcpMessage },
      onEvent: operations.onEvent,
      ...upstreamSpans(tracer, upstreamAttributes(ctx.config.proxy.servers)),
      // Spans still in the batch leave before the gateway exits.
      onShutdown: async () => {
        await provider.forceFlush();
        await provider.shutdown();
      },
    };
  },
});
