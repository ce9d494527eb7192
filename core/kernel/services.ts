/**
 * The service registry: how plugins offer capabilities to the kernel and to each other without
 * importing each other. A transport plugin provides `transport:<type>`; a shared session store
 * provides `session-store`; a third-party plugin may add its own names by declaration merging:
 * `declare module 'mcp-gateway' { interface Services { 'my-service': MyApi } }`.
 */
import type { Principal } from './context.ts';
import type { SessionBus } from './session-bus.ts';
import type { SessionStore } from './session-store.ts';
import type { TransportFactory } from './transport.ts';

/** Labels of one metric sample: names fixed when the metric is made, values from small fixed sets. */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Prometheus metrics for any plugin, provided by the `metrics` plugin (`ctx.find('metrics')`), so
 * that a plugin counts what it does without depending on prom-client. Making the same metric twice
 * returns the first one. Keep label values bounded: never a user name, a token or a raw path.
 */
export interface MetricsService {
  counter(
    name: string,
    help: string,
    labelNames?: readonly string[],
  ): { inc(labels?: MetricLabels, value?: number): void };
  gauge(name: string, help: string, labelNames?: readonly string[]): { set(labels: MetricLabels, value: number): void };
  histogram(
    name: string,
    help: string,
    labelNames?: readonly string[],
    buckets?: readonly number[],
  ): { observe(labels: MetricLabels, value: number): void };
}

export interface OriginPolicy {
  /** Whether a request with this `Origin` header (undefined: none, a non-browser client) may go on. */
  allows(origin: string | undefined): boolean;
}

/** What a permission policy checks: a tool, a prompt, or a resource (by URI or URI template). */
export type PermissionItemKind = 'tool' | 'prompt' | 'resource';

/** A permission policy's decision about one item, with the reason (kernel API 1.3). */
export interface PermissionDecision {
  readonly allowed: boolean;
  /** The rule that decided, as the policy writes it (a `server:tool` pattern), or undefined when none did. */
  readonly rule: string | undefined;
  /** The scopes the item needs (empty: anyone, or no one when no rule and no default apply). */
  readonly requiredScopes: readonly string[];
  /** Whether one of `requiredScopes` suffices (`any`) or every one is needed (`all`). */
  readonly scopeMode: 'any' | 'all';
}

/**
 * The permission policy in force, provided by a permissions plugin (`ctx.find('permissions')`), so
 * that others (a status page) can ask it what it would decide, with the very code its hooks run.
 */
export interface PermissionsService {
  /**
   * The scopes the policy grants a principal (its own and those its claims map to). `endpoint`
   * (kernel API 1.5): the policy of that MCP endpoint, `default` (`/mcp`) when omitted.
   */
  scopesOf(principal: Principal | undefined, endpoint?: string): readonly string[];
  /** Whether `principal` may use an item, named by its server's `name` and its own (upstream) name or URI, on `endpoint` (default: `default`). */
  decide(
    principal: Principal | undefined,
    kind: PermissionItemKind,
    server: string,
    name: string,
    endpoint?: string,
  ): PermissionDecision;
}

export interface Services {
  /** Upstream connections for servers of this `type:` in `proxy.servers`. */
  [transport: `transport:${string}`]: TransportFactory;
  /** Where downstream session records live (default: in memory). */
  'session-store': SessionStore;
  /** Messages between replicas sharing the session store (default: none, one replica). */
  'session-bus': SessionBus;
  /** The permission policy, when a permissions plugin is loaded. */
  permissions: PermissionsService;
  /** Prometheus metrics, when the metrics plugin is loaded. */
  metrics: MetricsService;
  /**
   * Which browser origins may call `/mcp`: replaces the kernel's `server.allowed_origins` check, so
   * that a CORS plugin and the DNS-rebinding protection share one allow list.
   */
  'origin-policy': OriginPolicy;
}

export type ServiceName = keyof Services & string;
