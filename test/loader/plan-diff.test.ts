/** What a reloaded configuration changes: servers by name and settings; the rest needs a restart. */
import { expect, it } from 'vitest';
import { parseGatewayConfig } from '../../core/config/gateway-config.ts';
import { diffPlans } from '../../core/loader/plan-diff.ts';
import type { GatewayPlan, PlannedPlugin, PlannedServer } from '../../core/loader/plan.ts';

const server = (name: string, url: string, prefix = name): PlannedServer =>
  ({ name, type: 'streamable-http', prefix, required: false, policy: {}, settings: { connection: { url } }, plugin: 'streamable-http' }) as unknown as PlannedServer;
const plugin = (name: string, options: unknown = {}, file = `/plugins/${name}/index.ts`): PlannedPlugin =>
  ({ definition: { name }, options, origin: 'builtin', file, from: 'implied' }) as unknown as PlannedPlugin;
const running = (plan: GatewayPlan, raw: Record<string, unknown> = {}) => ({ config: parseGatewayConfig(raw), plan });

it('sorts servers into added, removed and changed, by name and settings', () => {
  const before = running({ plugins: [], servers: [server('a', 'http://a'), server('b', 'http://b'), server('c', 'http://c')] });
  const after = running({ plugins: [], servers: [server('a', 'http://a'), server('b', 'http://b2'), server('d', 'http://d'), server('c', 'http://c', 'cc')] });
  const diff = diffPlans(before, after);
  expect(diff.added.map((s) => s.name)).toEqual(['d']);
  expect(diff.removed).toEqual([]);
  expect(diff.changed.map((s) => s.name)).toEqual(['b', 'c']);
  expect(diff.needRestart).toEqual([]);
  expect(diffPlans(after, running({ plugins: [], servers: [server('d', 'http://d')] })).removed).toEqual(['a', 'b', 'c']);
});

it('names what only a restart applies (kernel sections, plugins added, removed or reordered) apart from plugins reconfigured', () => {
  const plugins = [plugin('health'), plugin('rate-limit', { rules: [1] }), plugin('metrics')];
  const before = running({ plugins, servers: [] });
  expect(diffPlans(before, running({ plugins, servers: [server('a', 'http://a')] }, {})).needRestart).toEqual([]);
  expect(diffPlans(before, running({ plugins, servers: [] }, { server: { port: 9999 } })).needRestart).toEqual(['server']);
  const changed = [plugin('health'), plugin('rate-limit', { rules: [2] }), plugin('cors')];
  const diff = diffPlans(before, running({ plugins: changed, servers: [] }));
  expect(diff.needRestart).toEqual(['plugin cors (/plugins/cors/index.ts): added', 'plugin metrics (/plugins/metrics/index.ts): removed']);
  expect(diff.reconfigured.map((p) => [p.definition.name, p.options])).toEqual([['rate-limit', { rules: [2] }]]);
  const reordered = [plugin('metrics'), plugin('health'), plugin('rate-limit', { rules: [1] })];
  expect(diffPlans(before, running({ plugins: reordered, servers: [] })).needRestart).toEqual(['plugin order']);
});
