/** Implied built-ins when there is no plugins: list, and the plan of each upstream server. */
import { describe, expect, it } from 'vitest';
import { planYaml, pluginNames, yaml } from './temp-plan.ts';

const stdioServer = (name: string) => [
  `    - name: ${name}`,
  '      type: stdio',
  '      connection: { command: node }',
];
const httpServer = (name: string, extra: string[] = []) => [
  `    - name: ${name}`,
  '      type: streamable-http',
  '      connection:',
  `        url: http://127.0.0.1:9/${name}`,
  ...extra,
];

describe('implied plugins', () => {
  it('is only health and metrics without servers', async () => {
    const plan = await planYaml(yaml('server: {}'));
    expect(pluginNames(plan)).toEqual(['health', 'metrics']);
    expect(plan.plugins[0]!.from).toBe('implied');
  });

  it('adds one transport per server type in use', async () => {
    const plan = await planYaml(yaml('proxy:', '  servers:', ...stdioServer('a'), ...stdioServer('b')));
    expect(pluginNames(plan)).toEqual(['health', 'metrics', 'stdio']);
  });

  it('adds every transport in use, once each', async () => {
    const plan = await planYaml(
      yaml('proxy:', '  servers:', ...stdioServer('a'), ...httpServer('b'), ...httpServer('c')),
    );
    expect(pluginNames(plan)).toEqual(['health', 'metrics', 'streamable-http', 'stdio']);
  });

  it('is not used when plugins: is given', async () => {
    expect(pluginNames(await planYaml(yaml('plugins: []')))).toEqual([]);
  });
});

describe('server plans', () => {
  it('takes connection.timeout as the server timeout and proxy.timeout as the default', async () => {
    const text = yaml(
      'proxy:',
      '  timeout: 45s',
      '  servers:',
      ...httpServer('fast', ['        timeout: 5s']),
      ...httpServer('slow'),
    );
    const plan = await planYaml(text);
    expect(plan.servers.map((s) => [s.name, s.policy.timeoutMs])).toEqual([
      ['fast', 5000],
      ['slow', 45_000],
    ]);
  });

  it('gives the transport the connection without timeout', async () => {
    const plan = await planYaml(yaml('proxy:', '  servers:', ...httpServer('fast', ['        timeout: 5s'])));
    expect(plan.servers[0]).toMatchObject({
      type: 'streamable-http',
      plugin: 'streamable-http',
      prefix: 'fast',
      required: false,
    });
    expect(plan.servers[0]!.settings).toEqual({ connection: { url: 'http://127.0.0.1:9/fast', headers: {} } });
  });

  it("merges a server's policy over proxy:, over the built-in defaults", async () => {
    const text = yaml(
      'proxy:',
      '  reconnect: { initial: 1s }',
      '  heartbeat: { interval: 10s }',
      '  servers:',
      ...stdioServer('a'),
      ...stdioServer('b'),
      '      reconnect: { max: 2s }',
      '      heartbeat: { enabled: false }',
      '      when_down: error',
      '      retry: { attempts: 0 }',
    );
    const [a, b] = (await planYaml(text)).servers;
    expect(a!.policy).toMatchObject({
      backoff: { initialMs: 1000, maxMs: 30_000, factor: 2 },
      heartbeat: { intervalMs: 10_000, timeoutMs: 10_000 },
      rediscoveryMs: 300_000,
      whenDown: 'hide',
      retry: { attempts: 2, delayMs: 200, toolCalls: false },
    });
    expect(b!.policy).toMatchObject({
      backoff: { initialMs: 1000, maxMs: 2000 },
      heartbeat: undefined,
      whenDown: 'error',
      retry: { attempts: 0 },
    });
  });

  it('gives HTTP servers per-client upstream sessions and stdio servers a shared one, unless told', async () => {
    const text = yaml(
      'proxy:',
      '  servers:',
      ...httpServer('web'),
      ...stdioServer('child'),
      ...stdioServer('isolated'),
      '      upstream_sessions: per-client',
    );
    expect((await planYaml(text)).servers.map((s) => [s.name, s.policy.sessions])).toEqual([
      ['web', 'per-client'],
      ['child', 'shared'],
      ['isolated', 'per-client'],
    ]);
  });
});
