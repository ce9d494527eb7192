/**
 * The JSON the page and scripts read (`<path>/api/...`): the gateway's state as `GatewayView`
 * tells it, with the call statistics of this plugin. Nothing here holds a secret: upstream
 * connection settings (URLs, headers, credentials) and plugin options are never read, and an
 * upstream's error text is redacted.
 */
import type { CatalogueItem, GatewayView, RunningPlan, SessionCounts, UpstreamState } from 'mcp-gateway';
import type { CallStats, CallSummary } from './call-stats.ts';
import { redactSecrets } from './redact.ts';

export interface UpstreamRow {
  readonly name: string;
  readonly transport: string;
  readonly protocolVersion: string | undefined;
  readonly state: UpstreamState;
  readonly since: string;
  readonly required: boolean;
  readonly lastError: string | undefined;
  /** Connections made again after the first one. */
  readonly reconnects: number;
  /** Failed attempts since the last success (with backoff between them). */
  readonly failures: number;
  /** While down: when the next attempt is due. */
  readonly retryAt: string | undefined;
  readonly heartbeatMs: number | undefined;
  readonly server: { readonly name: string; readonly version: string } | undefined;
  readonly counts: { readonly tools: number; readonly prompts: number; readonly resources: number };
  readonly calls: CallSummary;
}

export interface CatalogueEntry {
  readonly kind: 'tool' | 'prompt' | 'resource' | 'resource-template';
  /** As clients see it (a tool's or prompt's exposed name, a resource's URI). */
  readonly exposed: string;
  readonly server: string;
  /** As the upstream names it. */
  readonly original: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly annotations: Readonly<Record<string, unknown>> | undefined;
}

export interface Overview {
  readonly gateway: { readonly version: string; readonly phase: string; readonly at: string };
  readonly upstreams: readonly UpstreamRow[];
  readonly sessions: SessionCounts;
  readonly plan: RunningPlan;
}

function upstreamRows(gateway: GatewayView, stats: CallStats): UpstreamRow[] {
  return gateway.status().upstreams.map((u) => ({
    name: u.name,
    transport: u.type,
    protocolVersion: u.protocolVersion,
    state: u.state,
    since: u.since,
    required: u.required,
    lastError: u.error === undefined ? undefined : redactSecrets(u.error),
    reconnects: Math.max(0, u.connections - 1),
    failures: u.failures,
    retryAt: u.retryAt,
    // The last answered ping says nothing of a connection that has since been lost.
    heartbeatMs: u.state === 'ready' ? u.heartbeatMs : undefined,
    server: u.serverInfo && { name: u.serverInfo.name, version: u.serverInfo.version },
    counts: { tools: u.tools, prompts: u.prompts, resources: u.resources },
    calls: stats.summary(u.name),
  }));
}

interface Describable {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly annotations?: object | undefined;
}

const entry = <T extends Describable>(
  kind: CatalogueEntry['kind'],
  exposed: (value: T) => string,
): ((item: CatalogueItem<T>) => CatalogueEntry) =>
  function toEntry({ server, name, value }) {
    return {
      kind,
      exposed: exposed(value),
      server,
      original: name,
      title: value.title,
      description: value.description,
      annotations: value.annotations as Record<string, unknown> | undefined,
    };
  };

/** The catalogue's items, or those of one MCP endpoint. */
export function catalogueEntries(gateway: GatewayView, endpoint?: string): CatalogueEntry[] {
  const { tools, prompts, resources, resourceTemplates } = gateway.catalogue(endpoint);
  return [
    ...tools.map(entry('tool', (t) => t.name)),
    ...prompts.map(entry('prompt', (p) => p.name)),
    ...resources.map(entry('resource', (r) => r.uri)),
    ...resourceTemplates.map(entry('resource-template', (r) => r.uriTemplate)),
  ];
}

export function overview(gateway: GatewayView, stats: CallStats): Overview {
  return {
    gateway: { version: gateway.version, phase: gateway.status().phase, at: new Date().toISOString() },
    upstreams: upstreamRows(gateway, stats),
    sessions: gateway.sessions(),
    plan: gateway.plan(),
  };
}

/**
 * A number that changes when the catalogue does, so that the open page fetches the catalogue only
 * then (it may hold thousands of items): `GatewayView.catalogue()` keeps its identity until then.
 */
export function catalogueGenerations(): (gateway: GatewayView) => number {
  const generations = new WeakMap<object, number>();
  let last = 0;
  return function catalogueGeneration(gateway) {
    const catalogue = gateway.catalogue();
    let generation = generations.get(catalogue);
    if (generation === undefined) generations.set(catalogue, (generation = ++last));
    return generation;
  };
}
