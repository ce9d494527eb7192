/**
 * The plugin's counters, through the optional `metrics` service. The service is looked up when
 * first needed, not at setup: the metrics plugin may be loaded after this one, or not at all.
 */
import type { MetricsService } from 'mcp-gateway';
import type { DropReason } from './queue.ts';

const reasons: readonly DropReason[] = ['queue_full', 'sink_error', 'shutdown'];

type Counter = ReturnType<MetricsService['counter']>;

export interface AuditMetrics {
  /** Creates the counters (at zero) once the service exists; cheap to call again. */
  ensure(): void;
  dropped(reason: DropReason, count: number): void;
  written(count: number): void;
}

export function auditMetrics(find: () => MetricsService | undefined): AuditMetrics {
  let counters: { dropped: Counter; written: Counter } | undefined;
  const ensure = () => {
    if (counters) return counters;
    const metrics = find();
    if (!metrics) return undefined;
    counters = {
      dropped: metrics.counter(
        'mcp_gateway_audit_dropped_total',
        'Audit records lost: queue full, sink failed, or shutdown',
        ['reason'],
      ),
      written: metrics.counter('mcp_gateway_audit_records_total', 'Audit records written to the sink'),
    };
    // Every series from the start, so that rate() and alerts see a zero rather than nothing.
    for (const reason of reasons) counters.dropped.inc({ reason }, 0);
    counters.written.inc({}, 0);
    return counters;
  };
  return {
    ensure: () => void ensure(),
    dropped: (reason, count) => ensure()?.dropped.inc({ reason }, count),
    written: (count) => ensure()?.written.inc({}, count),
  };
}
