/**
 * The `metrics` service: counters, gauges and histograms on the plugin's registry, for any plugin
 * (`ctx.find('metrics')?.counter(...)`) without a dependency on prom-client. Making a metric twice
 * with the same kind and labels returns the first one (a plugin may make its metrics at request
 * time); the same name with another kind or other labels is a programming error, thrown at once.
 * A sample that cannot be recorded (a label the metric does not have) is dropped and logged once
 * per metric, never thrown: counting must not fail the request being counted.
 */
import type { Logger, MetricLabels, MetricsService } from 'mcp-gateway';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

type Kind = 'counter' | 'gauge' | 'histogram';

interface Made {
  readonly kind: Kind;
  readonly labels: string;
  readonly handle: unknown;
}

type CounterHandle = ReturnType<MetricsService['counter']>;
type GaugeHandle = ReturnType<MetricsService['gauge']>;
type HistogramHandle = ReturnType<MetricsService['histogram']>;

export function createMetricsService(registry: Registry, logger: Logger): MetricsService {
  const made = new Map<string, Made>();
  const warned = new Set<string>();

  const record = (name: string, sample: () => void): void => {
    try {
      sample();
    } catch (error) {
      if (warned.has(name)) return;
      warned.add(name);
      logger.warn({ err: error, metric: name }, `metric ${name}: a sample was dropped (further ones are not logged)`);
    }
  };

  function make<T>(kind: Kind, name: string, labelNames: readonly string[], create: () => T): T {
    const labels = labelNames.join(',');
    const existing = made.get(name);
    if (existing) {
      if (existing.kind === kind && existing.labels === labels) return existing.handle as T;
      throw new Error(
        `metric ${name} already exists as a ${existing.kind} with labels [${existing.labels}]; ` +
          `it cannot also be a ${kind} with labels [${labels}] (choose another name)`,
      );
    }
    const handle = create();
    made.set(name, { kind, labels, handle });
    return handle;
  }

  return {
    counter(name, help, labelNames = []): CounterHandle {
      return make('counter', name, labelNames, () => {
        const counter = new Counter({ name, help, labelNames, registers: [registry] });
        return { inc: (labels: MetricLabels = {}, value = 1) => record(name, () => counter.inc(labels, value)) };
      });
    },
    gauge(name, help, labelNames = []): GaugeHandle {
      return make('gauge', name, labelNames, () => {
        const gauge = new Gauge({ name, help, labelNames, registers: [registry] });
        return { set: (labels: MetricLabels, value: number) => record(name, () => gauge.set(labels, value)) };
      });
    },
    histogram(name, help, labelNames = [], buckets): HistogramHandle {
      return make('histogram', name, labelNames, () => {
        const histogram = new Histogram({
          name,
          help,
          labelNames,
          registers: [registry],
          ...(buckets && { buckets: [...buckets] }),
        });
        return {
          observe: (labels: MetricLabels, value: number) => record(name, () => histogram.observe(labels, value)),
        };
      });
    },
  };
}
