/** What a reloaded configuration changes, from configurations planned by the real planner. */
import { expect, it } from 'vitest';
import { diffPlans } from '../../core/boot/loader/plan-diff.ts';
import { planRaw } from '../helpers/in-process.ts';

const http = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'streamable-http',
  connection: { url },
  ...extra,
});
const servers = (...list: object[]) => ({ proxy: { servers: list } });

it('sorts servers into added, removed and changed, by name and settings', async () => {
  const before = await planRaw(
    servers(http('a', 'http://a/mcp'), http('b', 'http://b/mcp'), http('c', 'http://c/mcp')),
  );
  const after = await planRaw(
    servers(
      http('a', 'http://a/mcp'),
      http('b', 'http://b2/mcp'),
      http('d', 'http://d/mcp'),
      http('c', 'http://c/mcp', { prefix: 'cc' }),
    ),
  );
  const diff = diffPlans(before, after);
  expect(diff.added.map((s) => s.name)).toEqual(['d']);
  expect(diff.removed).toEqual([]);
  expect(diff.changed.map((s) => s.name)).toEqual(['b', 'c']);
  expect(diff.reconfigured).toEqual([]);
  expect(diff.needRestart).toEqual([]);
  expect(diffPlans(after, await planRaw(servers(http('d', 'http://d/mcp')))).removed).toEqual(['a', 'b', 'c']);
});

it('names what only a restart applies (kernel sections, plugins added, removed or reordered) apart from plugins reconfigured', async () => {
  const base = {
    ...servers(http('a', 'http://a/mcp')),
    plugins: ['streamable-http', 'metrics', 'rate-limit', 'cors'],
    rate_limit: { rules: [{ name: 'r', requests: 10, window: '1m' }] },
  };
  const before = await planRaw(base);
  expect(
    diffPlans(before, await planRaw({ ...base, ...servers(http('a', 'http://a/mcp'), http('b', 'http://b/mcp')) }))
      .needRestart,
  ).toEqual([]);
  expect(diffPlans(before, await planRaw({ ...base, server: { port: 9999 } })).needRestart).toEqual(['server']);

  const reconfigured = diffPlans(
    before,
    await planRaw({ ...base, rate_limit: { rules: [{ name: 'r', requests: 20, window: '1m' }] } }),
  );
  expect(reconfigured.needRestart).toEqual([]);
  expect(reconfigured.reconfigured.map((p) => p.definition.name)).toEqual(['rate-limit']);

  const swapped = diffPlans(
    before,
    await planRaw({ ...base, plugins: ['streamable-http', 'metrics', 'rate-limit', 'health'] }),
  );
  expect(swapped.needRestart).toEqual([
    expect.stringMatching(/^plugin health \(.*\): added$/),
    expect.stringMatching(/^plugin cors \(.*\): removed$/),
  ]);
  expect(
    diffPlans(before, await planRaw({ ...base, plugins: ['streamable-http', 'cors', 'metrics', 'rate-limit'] }))
      .needRestart,
  ).toEqual(['plugin order']);
});
