/** The `metrics:` section: implied loading, defaults, and one-line errors for what cannot work. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginNames, yaml } from '../../test/loader/temp-plan.ts';

const servers = ['proxy:', '  servers:', '    - name: n8n', '      type: stdio', '      connection: { command: node }'];
const metricsOptions = async (...lines: string[]) =>
  (await planYaml(yaml(...lines))).plugins.find((p) => p.definition.name === 'metrics')?.options;

describe('loading', () => {
  it('is implied by every configuration without a plugins: list, right after health', async () => {
    const plan = await planYaml(yaml(...servers));
    expect(pluginNames(plan)).toEqual(['health', 'metrics', 'stdio']);
    expect(plan.plugins[1]!.from).toBe('implied');
    expect(pluginNames(await planYaml(yaml('auth: {}', ...servers)))).toEqual([
      'health',
      'metrics',
      'permissions',
      'stdio',
    ]);
  });

  it("defaults to /metrics on the gateway's port, open, with the process metrics", async () => {
    expect(await metricsOptions(...servers)).toEqual({ path: '/metrics', process_metrics: true });
  });

  it('reads the metrics: section, the token from the environment', async () => {
    const plan = await planYaml(
      yaml(
        'metrics:',
        '  bearer_token: ${METRICS_TOKEN}',
        '  path: /internal/metrics',
        '  port: 9464',
        '  host: 0.0.0.0',
      ),
      {
        env: { METRICS_TOKEN: 'scrape-me-0123456789' },
      },
    );
    expect(plan.plugins.find((p) => p.definition.name === 'metrics')!.options).toEqual({
      bearer_token: 'scrape-me-0123456789',
      path: '/internal/metrics',
      port: 9464,
      host: '0.0.0.0',
      process_metrics: true,
    });
  });

  it('is not loaded by a plugins: list that leaves it out, and then its section is an error', async () => {
    expect(pluginNames(await planYaml(yaml('plugins: [health]')))).toEqual(['health']);
    const error = await planError(yaml('plugins: [health]', 'metrics: { path: /m }'));
    expect(error.message).toBe('section "metrics" is not read by the kernel or by any loaded plugin');
  });
});

describe('errors', () => {
  const metrics = (...lines: string[]) => planError(yaml('metrics:', ...lines));

  it('refuses unknown keys, with a spelling suggestion', async () => {
    expect(await metrics('  bearer_tokn: x')).toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      plugin: 'metrics',
      path: 'metrics.bearer_tokn',
      fix: 'did you mean "bearer_token"?',
    });
  });

  it('refuses a host without a port', async () => {
    const error = await metrics('  host: 0.0.0.0');
    expect(error).toMatchObject({ path: 'metrics.host', fix: 'add metrics.port, or remove metrics.host' });
  });

  it('refuses a path that is not one, a port out of range, an empty token or one with spaces', async () => {
    expect(await metrics('  path: metrics')).toMatchObject({ path: 'metrics.path' });
    expect(await metrics('  port: 70000')).toMatchObject({ path: 'metrics.port' });
    const empty = await planError(yaml('metrics:', '  bearer_token: ${METRICS_TOKEN:-}'));
    expect(empty).toMatchObject({ path: 'metrics.bearer_token' });
    expect(empty.message).toContain('the token is empty');
    expect((await metrics('  bearer_token: ""')).message).toContain('the token is empty');
    expect((await metrics('  bearer_token: "two words"')).message).toContain('the token contains spaces');
  });
});
