/**
 * Each upstream's recent calls, from the gateway's own `operation` events: a rolling window of
 * (time, duration, failed) samples per server, bounded, from which the rate, the errors and the
 * p50/p99 latency are computed when the page asks. Calls the gateway refused itself (denied, rate
 * limited, unknown) never reached the upstream and are not its calls. In-flight calls are counted
 * by the plugin's operation hooks, which run closest to the upstream.
 */
import type { OperationEvent, OperationFailure } from 'mcp-gateway';

/** Failures that happened at or beyond the upstream (the others are the gateway's own refusals). */
const upstreamFailures: ReadonlySet<OperationFailure> = new Set([
  'unavailable',
  'timeout',
  'upstream_error',
  'cancelled',
  'internal',
]);

/** Most samples kept per upstream: a busy server's window is cut short rather than growing without bound. */
const MAX_SAMPLES = 10_000;

export interface CallSummary {
  readonly inFlight: number;
  /** Calls answered in the window. */
  readonly calls: number;
  readonly perMinute: number;
  /** Of those, failed (a JSON-RPC error or a tool's `isError`). */
  readonly errors: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly windowMs: number;
}

interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly failed: boolean;
}

export class CallStats {
  readonly #samples = new Map<string, Sample[]>();
  readonly #inFlight = new Map<string, number>();
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(windowMs: number, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** An `operation` event: counted when it names an upstream's item that the gateway let through. */
  record(event: OperationEvent): void {
    const server = event.target?.server;
    if (server === undefined || (event.reason !== undefined && !upstreamFailures.has(event.reason))) return;
    let samples = this.#samples.get(server);
    if (!samples) this.#samples.set(server, (samples = []));
    samples.push({ at: this.#now(), ms: event.durationMs, failed: event.outcome !== 'success' });
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
  }

  /** Counts `run` as in flight to `server` while it runs. */
  async track<T>(server: string, run: () => Promise<T>): Promise<T> {
    this.#inFlight.set(server, (this.#inFlight.get(server) ?? 0) + 1);
    try {
      return await run();
    } finally {
      this.#inFlight.set(server, this.#inFlight.get(server)! - 1);
    }
  }

  summary(server: string): CallSummary {
    const since = this.#now() - this.#windowMs;
    const all = this.#samples.get(server) ?? [];
    const first = all.findIndex((s) => s.at >= since);
    // Forget what has left the window, so that an idle server's samples do not linger.
    if (first !== 0) all.splice(0, first === -1 ? all.length : first);
    const durations = all.map((s) => s.ms).sort((a, b) => a - b);
    return {
      inFlight: this.#inFlight.get(server) ?? 0,
      calls: all.length,
      perMinute: Math.round((all.length / this.#windowMs) * 60_000 * 10) / 10,
      errors: all.filter((s) => s.failed).length,
      p50Ms: percentile(durations, 0.5),
      p99Ms: percentile(durations, 0.99),
      windowMs: this.#windowMs,
    };
  }
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return Math.round(value * 100) / 100;
}
