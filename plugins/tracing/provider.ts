/**
 * The plugin's own tracer provider (never registered globally: two gateways in one process, or an
 * application that has its own OpenTelemetry SDK, never mix): the resource, the sampler and the
 * span processor. OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES complete the resource;
 * OTEL_TRACES_SAMPLER(_ARG) choose the sampler unless `sampling:` is set; OTEL_BSP_* tune the batch.
 */
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingOptions } from './options.ts';

export function createProvider(
  options: TracingOptions,
  exporter: SpanExporter | undefined,
  version: string,
): BasicTracerProvider {
  // Later wins: the SDK's own attributes, then the gateway's defaults, then the environment's.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'mcp-gateway', [ATTR_SERVICE_VERSION]: version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const spanProcessors: SpanProcessor[] = [];
  // In memory, a test reads each span as soon as it ends; anywhere else, spans leave in batches.
  if (exporter)
    spanProcessors.push(
      options.exporter === 'memory' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    );
  return new BasicTracerProvider({
    resource,
    spanProcessors,
    ...(options.sampling === undefined
      ? {}
      : { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampling) }) }),
  });
}
