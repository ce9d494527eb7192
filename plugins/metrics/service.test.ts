/**
 * The `metrics` service other plugins use: metrics on the gateway's registry, made once by name,
 * with programming errors thrown where they are made and bad samples dropped rather than thrown
 * into the request being counted.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { openSession, rpc } from '../../test/helpers/in-process.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';
import { createMetricsService } from './service.ts';

function service() {
  const registry = new Registry();
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) },
  );
  return { registry, warnings, metrics: createMetricsService(registry, logger) };
}

const scrape = async (registry: Registry) => parseExposition(await registry.metrics());

describe('the service', () => {
  it('makes counters, gauges and histograms on the registry', async () => {
    const { registry, metrics } = service();
    metrics.counter('a_total', 'A', ['kind']).inc({ kind: 'x' });
    metrics.counter('b_total', 'B').inc(undefined, 3);
    metrics.gauge('c', 'C', ['kind']).set({ kind: 'y' }, 7);
    metrics.histogram('d_seconds', 'D', [], [1, 2]).observe({}, 1.5);
    const exposition = await scrape(registry);
    expect(exposition.value('a_total', { kind: 'x' })).toBe(1);
    expect(exposition.value('b_total')).toBe(3);
    expect(exposition.value('c', { kind: 'y' })).toBe(7);
    expect(exposition.series('d_seconds_bucket')).toEqual({ 'le="1"': 0, 'le="2"': 1, 'le="+Inf"': 1 });
    expect([...exposition.types]).toEqual([
      ['a_total', 'counter'],
      ['b_total', 'counter'],
      ['c', 'gauge'],
      ['d_seconds', 'histogram'],
    ]);
  });

  it('returns the metric already made under a name, with the same kind and labels', async () => {
    const { registry, metrics } = service();
    metrics.counter('a_total', 'A', ['kind']).inc({ kind: 'x' });
    metrics.counter('a_total', 'A again', ['kind']).inc({ kind: 'x' });
    expect((await scrape(registry)).value('a_total', { kind: 'x' })).toBe(2);
  });

  it('throws when a name is made again as another kind or with other labels, or is not a metric name', () => {
    const { metrics } = service();
    metrics.counter('a_total', 'A', ['kind']);
    expect(() => metrics.gauge('a_total', 'A', ['kind'])).toThrow(
      'metric a_total already exists as a counter with labels [kind]; it cannot also be a gauge with labels [kind]',
    );
    expect(() => metrics.counter('a_total', 'A', ['other'])).toThrow('cannot also be a counter with labels [other]');
    expect(() => metrics.counter('not a name', 'A')).toThrow('Invalid metric name');
  });

  it('drops a sample it cannot record, logging it once per metric, and never throws', async () => {
    const { registry, metrics, warnings } = service();
    const counter = metrics.counter('a_total', 'A', ['kind']);
    expect(() => counter.inc({ nope: 'x' })).not.toThrow();
    expect(() => counter.inc({ kind: 'x' }, -1)).not.toThrow();
    counter.inc({ kind: 'x' });
    expect((await scrape(registry)).series('a_total')).toEqual({ 'kind="x"': 1 });
    expect(warnings).toEqual(['metric a_total: a sample was dropped (further ones are not logged)']);
  });
});

describe('used by another plugin', () => {
  let gateway: TestGateway;
  afterAll(() => gateway?.close());

  it("finds the service and counts on the gateway's /metrics", async () => {
    gateway = await startTestGateway({
      config: { proxy: { servers: [stdioFixture('alpha')] } },
      plugins: ['./test/fixtures/plugins/counts-calls.ts'],
    });
    const session = await openSession(gateway);
    await rpc(gateway, session, 'tools/call', { name: 'alpha__echo', arguments: { text: 'x' } });
    await rpc(gateway, session, 'tools/call', { name: 'alpha__add', arguments: { a: 1, b: 2 } });
    const exposition = parseExposition(await (await gateway.request('/metrics')).text());
    expect(exposition.series('test_calls_seen_total')).toEqual({ 'tool="echo"': 3, 'tool="add"': 3 });
    expect(exposition.series('test_argument_keys_bucket')).toEqual({
      'le="0"': 0,
      'le="1"': 1,
      'le="2"': 2,
      'le="5"': 2,
      'le="+Inf"': 2,
    });
    expect(exposition.value('mcp_gateway_tools_called', { proxy: 'alpha', tool: 'add' })).toBe(1);
  });
});
