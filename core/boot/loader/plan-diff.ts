/**
 * What a reloaded configuration changes, compared with the running one. Upstream servers are
 * applied live (added, removed, replaced when any of their settings differ), and so are the new
 * options of plugins that implement `onReload`; everything else (plugins added, removed or
 * reordered, the kernel's other sections) is set up once at start, so a change there is reported
 * as needing a restart rather than half-applied.
 */
import type { GatewayConfig } from '../../kernel/config/schema.ts';
import { kernelSections } from '../../kernel/config/schema.ts';
import type { PlannedPlugin } from '../../kernel/planned-plugin.ts';
import type { GatewayPlan, PlannedServer } from './plan.ts';

export interface PlanDiff {
  readonly added: readonly PlannedServer[];
  readonly removed: readonly string[];
  /** Servers whose settings differ: their upstream is replaced. */
  readonly changed: readonly PlannedServer[];
  /** Plugins loaded before and after whose options differ: live if they implement `onReload`. */
  readonly reconfigured: readonly PlannedPlugin[];
  /** Config sections and plugin changes that take effect only after a restart. */
  readonly needRestart: readonly string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function diffPlans(
  current: { config: GatewayConfig; plan: GatewayPlan },
  next: { config: GatewayConfig; plan: GatewayPlan },
): PlanDiff {
  const before = new Map(current.plan.servers.map((server) => [server.name, server]));
  const after = new Map(next.plan.servers.map((server) => [server.name, server]));
  const added = next.plan.servers.filter((server) => !before.has(server.name));
  const removed = current.plan.servers.filter((server) => !after.has(server.name)).map((server) => server.name);
  const changed = next.plan.servers.filter(
    (server) => before.has(server.name) && !same(before.get(server.name), server),
  );

  // The kernel's own sections; the plugins' sections are compared as their options, below.
  const withoutServers = (config: GatewayConfig): Record<string, unknown> => ({
    ...config,
    proxy: { ...config.proxy, servers: undefined },
  });
  const a = withoutServers(current.config);
  const b = withoutServers(next.config);
  const needRestart = kernelSections.filter((key) => key !== 'plugins' && !same(a[key], b[key]));
  const plugins = (plan: GatewayPlan) => new Map(plan.plugins.map((p) => [`${p.definition.name} (${p.file})`, p]));
  const running = plugins(current.plan);
  const wanted = plugins(next.plan);
  const reconfigured: PlannedPlugin[] = [];
  for (const [name, plugin] of wanted) {
    if (!running.has(name)) needRestart.push(`plugin ${name}: added`);
    else if (!same(running.get(name)!.options, plugin.options)) reconfigured.push(plugin);
  }
  for (const name of running.keys()) if (!wanted.has(name)) needRestart.push(`plugin ${name}: removed`);
  const kept = (from: Map<string, PlannedPlugin>, other: Map<string, PlannedPlugin>) =>
    [...from.keys()].filter((name) => other.has(name));
  if (!same(kept(running, wanted), kept(wanted, running))) needRestart.push('plugin order');
  return { added, removed, changed, reconfigured, needRestart };
}
