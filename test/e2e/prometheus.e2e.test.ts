/**
 * A real Prometheus (the Debian package's /usr/bin/prometheus) scrapes a real gateway every second,
 * with the bearer token the gateway asks for, and loads the shipped alert rules: the values it
 * stores are those of the calls made, and its rules evaluate without error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { stringify } from 'yaml';
import { connectClient } from '../helpers/client.ts';
import { freePort, repoRoot, startGateway, stopChild, tempDir, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';
import { itWith, prometheus as prometheusServer } from '../helpers/debian.ts';

const token = 'prometheus-scrape-0123456789';
const it = itWith('the Prometheus test', prometheusServer);

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startPrometheus(target: string): Promise<{ api: string; child: ChildProcess; logs: () => string }> {
  const dir = tempDir('mcpgw-prometheus-');
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [join(repoRoot, 'config/prometheus/alerts.yaml')],
      scrape_configs: [
        {
          job_name: 'mcp-gateway',
          authorization: { type: 'Bearer', credentials: token },
          static_configs: [{ targets: [target] }],
        },
      ],
    }),
  );
  const child = spawn(
    prometheusServer.program,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { api: `http://127.0.0.1:${port}/api/v1`, child, logs: () => stderr };
}

/** Poll `probe` until it gives `expected`; fail with the last value (and Prometheus's log) after the deadline. */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  expected: T,
  logs: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | string | undefined;
  for (;;) {
    try {
      last = await probe();
      if (JSON.stringify(last) === JSON.stringify(expected)) return;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: expected ${JSON.stringify(expected)}, last ${JSON.stringify(last)}; prometheus: ${logs()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('scrapes the gateway and stores the calls made, and evaluates the alert rules', { timeout: 90_000 }, async () => {
  expect(
    existsSync(prometheusServer.program),
    `${prometheusServer.program} is missing: apt-get install prometheus`,
  ).toBe(true);
  const gateway: RunningGateway = await startGateway({
    config: { metrics: { bearer_token: '${METRICS_TOKEN}' }, proxy: { servers: [stdioFixture('tools')] } },
    env: { METRICS_TOKEN: token },
  });
  cleanup.push(() => gateway.stop());
  const client = await connectClient(gateway.mcpUrl);
  for (const text of ['a', 'b', 'c']) await client.callTool({ name: 'tools__echo', arguments: { text } });
  await client.callTool({ name: 'tools__fail', arguments: {} });
  await client.listTools();
  await client.close();

  const instance = new URL(gateway.baseUrl).host;
  const prometheus = await startPrometheus(instance);
  cleanup.push(() => stopChild(prometheus.child));
  const query = async (expr: string) => {
    const response = await fetch(`${prometheus.api}/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    // In a stable order: Prometheus promises none.
    return body.data.result
      .map((r) => [r.metric, r.value[1]])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };
  const { logs } = prometheus;

  await until(
    'up',
    () => query('up{job="mcp-gateway"}'),
    [[{ __name__: 'up', instance, job: 'mcp-gateway' }, '1']],
    logs,
  );
  const called = (tool: string, value: string) => [
    { __name__: 'mcp_gateway_tools_called', instance, job: 'mcp-gateway', proxy: 'tools', tool },
    value,
  ];
  await until(
    'tools called',
    () => query('mcp_gateway_tools_called'),
    [called('echo', '3'), called('fail', '1')],
    logs,
  );
  expect(await query('sum by (reason) (mcp_gateway_tools_call_errors)')).toEqual([[{ reason: 'tool_error' }, '1']]);
  expect(await query('mcp_gateway_list_tools')).toMatchObject([[{ job: 'mcp-gateway' }, '1']]);
  expect(await query('mcp_gateway_upstream_up')).toMatchObject([[{ proxy: 'tools' }, '1']]);
  expect(await query('sum(mcp_gateway_tool_call_duration_seconds_count)')).toEqual([[{}, '4']]);

  // The shipped rules load and evaluate against the real series (none fires: all is well).
  const rules = async () => {
    const body = (await (await fetch(`${prometheus.api}/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; state: string }[] }[] };
    };
    return body.data.groups.flatMap((g) => g.rules.map((r) => [r.name, r.health, r.state]));
  };
  await until(
    'alert rules',
    rules,
    [
      ['MCPGatewayUpstreamDown', 'ok', 'inactive'],
      ['MCPGatewayUpstreamFlapping', 'ok', 'inactive'],
      ['MCPGatewayHighToolErrorRatio', 'ok', 'inactive'],
      ['MCPGatewayHighToolLatency', 'ok', 'inactive'],
    ],
    logs,
  );
});
