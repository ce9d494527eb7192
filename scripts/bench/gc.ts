/**
 * The gateway's garbage collections under load, read from its own `/metrics` (prom-client's
 * `nodejs_gc_duration_seconds` by kind, and `mcp_gateway_operations_total` for the operations it
 * answered) before and after a section's rounds. Per call, what V8 keeps past a minor GC is what
 * the major ones must collect later: a regression there shows as more major GCs per 1,000 calls.
 */

export interface GcCounts {
  /** By kind (minor, major, incremental, weakcb): how many, and seconds spent. */
  readonly kinds: Readonly<Record<string, { readonly count: number; readonly seconds: number }>>;
  readonly operations: number;
  /** The young generation's size, bytes. */
  readonly newSpace: number;
}

export async function gcCounts(metricsUrl: string): Promise<GcCounts> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  const kinds: Record<string, { count: number; seconds: number }> = {};
  let operations = 0;
  let newSpace = 0;
  for (const line of text.split('\n')) {
    const gc = /^nodejs_gc_duration_seconds_(count|sum)\{kind="(\w+)"\} (\S+)$/.exec(line);
    if (gc) {
      const entry = (kinds[gc[2]!] ??= { count: 0, seconds: 0 });
      if (gc[1] === 'count') entry.count = Number(gc[3]);
      else entry.seconds = Number(gc[3]);
    }
    const young = /^nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)$/.exec(line);
    if (young) newSpace = Number(young[1]);
    const answered = /^mcp_gateway_operations_total\{[^}]*\} (\S+)$/.exec(line);
    if (answered) operations += Number(answered[1]);
  }
  return { kinds, operations, newSpace };
}

export interface GcPerCalls {
  readonly operations: number;
  /** The young generation's size at the end, bytes. */
  readonly newSpace: number;
  /** Per 1,000 operations, by kind. */
  readonly perThousand: Readonly<Record<string, { readonly count: number; readonly ms: number }>>;
}

export function gcBetween(before: GcCounts, after: GcCounts): GcPerCalls {
  const operations = after.operations - before.operations;
  const perThousand: Record<string, { count: number; ms: number }> = {};
  for (const [kind, { count, seconds }] of Object.entries(after.kinds)) {
    const earlier = before.kinds[kind] ?? { count: 0, seconds: 0 };
    perThousand[kind] = {
      count: ((count - earlier.count) / operations) * 1000,
      ms: ((seconds - earlier.seconds) * 1000 * 1000) / operations,
    };
  }
  return { operations, perThousand, newSpace: after.newSpace };
}

/** One sentence for the section's notes. */
export function gcNote({ operations, perThousand, newSpace }: GcPerCalls): string {
  const of = (kind: string) => perThousand[kind] ?? { count: 0, ms: 0 };
  const total = Object.values(perThousand).reduce((sum, kind) => sum + kind.ms, 0);
  return (
    `Gateway GC per 1,000 operations (${operations.toLocaleString('en-US')} answered, warm-ups included): ` +
    `${of('minor').count.toFixed(1)} minor (${of('minor').ms.toFixed(1)} ms), ${of('major').count.toFixed(2)} major (${of('major').ms.toFixed(1)} ms), ` +
    `${of('incremental').count.toFixed(2)} incremental marking (${of('incremental').ms.toFixed(1)} ms); ${total.toFixed(1)} ms of pauses in all. ` +
    `Young generation at the end: ${(newSpace / 1048576).toFixed(0)} MiB.`
  );
}
