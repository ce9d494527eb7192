/** The `tracing:` section. Everything else comes from the standard OTEL_* variables. */
import { z } from 'mcp-gateway';

export const tracingOptions = z.strictObject({
  /**
   * Where finished spans go: `otlp` (OTLP over HTTP, JSON), `console` (stdout, for debugging),
   * `memory` (kept in the process, for tests) or `none` (spans are made, so trace context still
   * reaches the upstreams, but not exported).
   */
  exporter: z.enum(['otlp', 'console', 'memory', 'none']).default('otlp'),
  /**
   * The OTLP traces URL (e.g. `http://collector:4318/v1/traces`). Default:
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`, else
   * `http://localhost:4318/v1/traces`.
   */
  endpoint: z.url().optional(),
  /**
   * The share of new traces to record, 0 to 1, parent-based: a request that carries a
   * `traceparent` follows the client's sampling decision. Default: OTEL_TRACES_SAMPLER and
   * OTEL_TRACES_SAMPLER_ARG, else every trace.
   */
  sampling: z.number().min(0).max(1).optional(),
});

export type TracingOptions = z.output<typeof tracingOptions>;
