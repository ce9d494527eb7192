/**
 * A small parser of the Prometheus text exposition format (what `/metrics` answers), for tests
 * that assert exact values: samples by name and labels, and the declared type of each metric.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** `# TYPE` declarations: metric name → counter, gauge, histogram, summary, untyped. */
  readonly types: ReadonlyMap<string, string>;
  /** The value of the sample with exactly these labels (0 when there is none). */
  value(name: string, labels?: Record<string, string>): number;
  /** Every sample of a name, keyed by `labelKey` of its labels. */
  series(name: string): Record<string, number>;
}

const sampleLine = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const labelPair = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescapeLabel = (value: string) => value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A series' labels as one string, keys sorted: `outcome="error",proxy="alpha"`. */
export const labelKey = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(labelPair)) labels[key!] = unescapeLabel(value!);
    samples.push({ name: match[1]!, labels, value: parseValue(match[3]!) });
  }
  const sameLabels = (a: Readonly<Record<string, string>>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    samples,
    types,
    value: (name, labels = {}) => samples.find((s) => s.name === name && sameLabels(s.labels, labels))?.value ?? 0,
    series: (name) =>
      Object.fromEntries(samples.filter((s) => s.name === name).map((s) => [labelKey(s.labels), s.value])),
  };
}

/**
 * How each series of `name` changed between two scrapes, leaving out those that did not: an
 * exact picture of what a scripted set of requests did (a series that appeared counts from 0).
 */
export function changes(before: Exposition, after: Exposition, name: string): Record<string, number> {
  const old = before.series(name);
  return Object.fromEntries(
    Object.entries(after.series(name))
      .map(([key, value]) => [key, value - (old[key] ?? 0)] as const)
      .filter(([, delta]) => delta !== 0),
  );
}
