/** The span exporter the `exporter:` option names; a failing export is logged (once a minute). */
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleSpanExporter, InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type Logger, LogThrottle } from 'mcp-gateway';
import type { TracingOptions } from './options.ts';

export function createExporter(options: TracingOptions, logger: Logger): SpanExporter | undefined {
  switch (options.exporter) {
    case 'otlp':
      // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION itself.
      return reportingFailures(new OTLPTraceExporter(options.endpoint ? { url: options.endpoint } : {}), logger);
    case 'console':
      return new ConsoleSpanExporter();
    case 'memory':
      return new InMemorySpanExporter();
    case 'none':
      return undefined;
  }
}

/** The exporter, telling the gateway's log when an export fails (the OTel SDK itself says nothing). */
function reportingFailures(exporter: SpanExporter, logger: Logger): SpanExporter {
  const throttle = new LogThrottle();
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        const unlogged = result.code === ExportResultCode.SUCCESS ? undefined : throttle.occurred();
        if (unlogged !== undefined) {
          logger.warn(
            { err: result.error, spans: spans.length, ...(unlogged > 0 && { failures_not_logged: unlogged }) },
            'could not export spans (further failures are muted for a minute)',
          );
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
