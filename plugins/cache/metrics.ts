/**
 * The plugin's counters, through the optional `metrics` service, looked up when first needed (the
 * metrics plugin may load after this one, or not at all).
 */
import type { MetricsService } from 'mcp-gateway';

type Counter = ReturnType<MetricsService['counter']>;

export interface CallLabels {
  readonly proxy: string;
  readonly tool: string;
}

export interface CacheMetrics {
  hit(labels: CallLabels): void;
  miss(labels: CallLabels): void;
  storeError(): void;
}

export function cacheMetrics(find: () => MetricsService | undefined): CacheMetrics {
  let counters: { hits: Counter; misses: Counter; storeErrors: Counter } | undefined;
  const ensure = () => {
    if (counters) return counters;
    const metrics = find();
    if (!metrics) return undefined;
    counters = {
      hits: metrics.counter('mcp_gateway_cache_hits_total', 'Tool calls answered from the result cache', [
        'proxy',
        'tool',
      ]),
      misses: metrics.counter(
        'mcp_gateway_cache_misses_total',
        'Cacheable tool calls not found in the result cache (sent upstream)',
        ['proxy', 'tool'],
      ),
      storeErrors: metrics.counter(
        'mcp_gateway_cache_store_errors_total',
        'Cache store operations that failed (treated as misses)',
      ),
    };
    counters.storeErrors.inc({}, 0);
    return counters;
  };
  return {
    hit: (labels) => ensure()?.hits.inc({ ...labels }),
    miss: (labels) => ensure()?.misses.inc({ ...labels }),
    storeError: () => ensure()?.storeErrors.inc(),
  };
}
