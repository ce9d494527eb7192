/**
 * The Grafana dashboard and the Prometheus alert rules shipped in config/ match what the gateway
 * really exposes: every `mcp_gateway_*` name they use is in a scrape of a real gateway's /metrics
 * (after requests that make every series appear), and promtool accepts the rules and passes their
 * unit tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import { parseExposition, type Exposition } from '../helpers/exposition.ts';
import { repoRoot, startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';
import { createHash } from 'node:crypto';

const run = promisify(execFile);
const files = [
  'config/grafana/mcp-gateway.json',
  'config/prometheus/alerts.yaml',
  'config/prometheus/alerts.test.yaml',
];
const promtool = '/usr/bin/promtool';
const key = 'dashboards-key-0123456789';

let gateway: RunningGateway;
let scrape: Exposition;

beforeAll(async () => {
  gateway = await startGateway({
    args: ['--plugins', join(repoRoot, 'config/examples/plugins/api-key-auth.ts')],
    config: {
      api_keys: { keys: [{ subject: 'ci', sha256: createHash('sha256').update(key).digest('hex') }] },
      proxy: { servers: [stdioFixture('tools')] },
      rate_limit: { rules: [{ name: 'counter', tools: 'tools:counter', requests: 2, window: '1m' }] },
      cache: { rules: [{ tools: 'tools:counter', ttl: '1m' }] },
    },
  });
  // Requests that make every series appear: calls (a success, a tool error), a list, a refused caller.
  const client = await connectClient(gateway.mcpUrl, { headers: { 'x-api-key': key } });
  await client.listTools();
  await client.callTool({ name: 'tools__echo', arguments: { text: 'x' } });
  await client.callTool({ name: 'tools__fail', arguments: {} });
  // A cache miss, a hit, and a refusal by the rate limit (which counts hits too).
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'tools__counter', arguments: {} }).catch(() => {});
  await client.close();
  expect((await fetch(gateway.mcpUrl, { method: 'POST' })).status).toBe(401);
  const response = await fetch(`${gateway.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  scrape = parseExposition(await response.text());
});
afterAll(() => gateway?.stop());

describe.each(files)('%s', (file) => {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const names = [...new Set(text.match(/\bmcp_gateway_[a-z0-9_]+/g))].sort();

  it('uses only metrics the gateway exposes', () => {
    expect(names.length).toBeGreaterThan(3);
    const sampled = new Set(scrape.samples.map((s) => s.name));
    const missing = names.filter((name) => {
      if (sampled.has(name)) return false;
      // A histogram's own name (in a description) stands for its _bucket, _sum and _count series.
      return !(scrape.types.get(name) === 'histogram' && sampled.has(`${name}_count`));
    });
    expect(missing).toEqual([]);
  });

  it('uses histogram series only of histograms, and counters and gauges by their own names', () => {
    for (const name of names) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      const type = scrape.types.get(name) ?? scrape.types.get(base);
      expect({ name, type: type === 'histogram' || name === base ? 'ok' : type }).toEqual({ name, type: 'ok' });
    }
  });
});

it('is valid JSON for Grafana: a datasource variable, every panel with its queries', () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, files[0]!), 'utf8')) as {
    uid: string;
    templating: { list: { name: string; type: string }[] };
    panels: { id: number; type: string; title: string; targets?: { expr: string }[] }[];
  };
  expect(dashboard.uid).toBe('mcp-gateway');
  expect(dashboard.templating.list.map((v) => [v.name, v.type])).toContainEqual(['datasource', 'datasource']);
  const charts = dashboard.panels.filter((p) => p.type !== 'row');
  expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  for (const panel of charts)
    expect({ title: panel.title, queries: panel.targets?.every((t) => t.expr.includes('mcp_gateway_')) }).toEqual({
      title: panel.title,
      queries: true,
    });
  const titles = charts.map((p) => p.title.toLowerCase()).join('\n');
  for (const topic of [
    'tool calls per second',
    'error ratio',
    'latency p50 / p99',
    'http latency',
    'upstreams up',
    'sessions',
    'authentication failures',
  ]) {
    expect(titles).toContain(topic);
  }
});

describe('promtool', () => {
  const installed = existsSync(promtool);
  if (!installed && !process.env.CI)
    console.warn(`skipping the promtool checks: ${promtool} is missing (apt-get install prometheus); CI runs them`);

  it.skipIf(!installed && !process.env.CI)('accepts the alert rules, and their unit tests pass', async () => {
    expect(installed, `${promtool} is missing: apt-get install prometheus`).toBe(true);
    const cwd = join(repoRoot, 'config/prometheus');
    const checked = await run(promtool, ['check', 'rules', 'alerts.yaml'], { cwd });
    expect(checked.stdout).toContain('SUCCESS: 4 rules found');
    const tested = await run(promtool, ['test', 'rules', 'alerts.test.yaml'], { cwd });
    expect(tested.stdout).toContain('SUCCESS');
  });
});
