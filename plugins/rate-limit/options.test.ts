/** The `rate_limit:` section: implied loading, defaults, and one-line errors naming the key to fix. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginNames, yaml } from '../../test/loader/temp-plan.ts';

const servers = ['proxy:', '  servers:', '    - name: n8n', '      type: stdio', '      connection: { command: node }'];
const rule = ['  rules:', '    - { name: per-caller, requests: 120, window: 1m }'];
const options = async (...lines: string[]) =>
  (await planYaml(yaml(...lines, ...servers))).plugins.find((p) => p.definition.name === 'rate-limit')?.options;

describe('loading', () => {
  it('is implied by a rate_limit: section, after permissions and before the transports', async () => {
    const names = pluginNames(await planYaml(yaml('auth: {}', 'rate_limit:', ...rule, ...servers)));
    expect(names.indexOf('rate-limit')).toBe(names.indexOf('permissions') + 1);
    expect(names.indexOf('rate-limit')).toBeLessThan(names.indexOf('stdio'));
    expect(pluginNames(await planYaml(yaml(...servers)))).not.toContain('rate-limit');
  });

  it('defaults to memory, failing open, no proxy trusted, counting per principal', async () => {
    expect(await options('rate_limit:', ...rule)).toEqual({
      store: 'memory',
      on_store_error: 'open',
      trust_proxy: false,
      rules: [{ name: 'per-caller', requests: 120, window: 60_000, key: ['principal'] }],
    });
  });

  it("reads a redis store with core's connection defaults, bursts, keys and tool globs", async () => {
    const parsed = await options(
      'rate_limit:',
      '  store: redis',
      '  redis: { url: "redis://127.0.0.1:6379" }',
      '  on_store_error: closed',
      '  trust_proxy: 2',
      '  rules:',
      '    - { name: burst, requests: 120, window: 1m, burst: { requests: 30, window: 10s } }',
      '    - { name: expensive-tools, tools: "search:*", requests: 10, window: 1h, key: [principal, tool] }',
      '    - { name: per-server, tools: ["a:*", "b:x_*"], requests: 5, window: 1s, key: [] }',
    );
    expect(parsed).toEqual({
      store: 'redis',
      redis: { url: 'redis://127.0.0.1:6379', key_prefix: 'mcp-gateway:', connect_timeout: 2000, command_timeout: 500 },
      on_store_error: 'closed',
      trust_proxy: 2,
      rules: [
        { name: 'burst', requests: 120, window: 60_000, burst: { requests: 30, window: 10_000 }, key: ['principal'] },
        { name: 'expensive-tools', tools: 'search:*', requests: 10, window: 3_600_000, key: ['principal', 'tool'] },
        { name: 'per-server', tools: ['a:*', 'b:x_*'], requests: 5, window: 1000, key: [] },
      ],
    });
  });
});

describe('errors', () => {
  const error = (...lines: string[]) => planError(yaml('rate_limit:', ...lines, ...servers));

  it('asks for redis with store: redis, and refuses it with store: memory', async () => {
    expect(await error('  store: redis', ...rule)).toMatchObject({
      path: 'rate_limit.redis',
      message: 'is required when store is "redis"',
    });
    expect(await error('  redis: { url: "redis://x:6379" }', ...rule)).toMatchObject({
      path: 'rate_limit.redis',
      fix: 'set store: redis, or remove rate_limit.redis',
    });
    expect(await error('  store: redis', '  redis: { url: "http://x" }', ...rule)).toMatchObject({
      path: 'rate_limit.redis.url',
    });
  });

  it('wants at least one rule, named once, with a window of whole seconds', async () => {
    expect(await error('  rules: []')).toMatchObject({ path: 'rate_limit.rules' });
    expect(
      await error(
        '  rules:',
        '    - { name: a, requests: 1, window: 1m }',
        '    - { name: a, requests: 2, window: 1m }',
      ),
    ).toMatchObject({
      path: 'rate_limit.rules[1].name',
      message: '"a" names two rules',
    });
    expect(await error('  rules:', '    - { name: a, requests: 1, window: 500ms }')).toMatchObject({
      path: 'rate_limit.rules[0].window',
      fix: 'write it like 10s, 1m or 1h',
    });
    expect(
      await error('  rules:', '    - { name: a, requests: 1, window: 1m, burst: { requests: 1, window: 1500ms } }'),
    ).toMatchObject({
      path: 'rate_limit.rules[0].burst.window',
    });
    expect(await error('  rules:', '    - { name: "a b", requests: 1, window: 1m }')).toMatchObject({
      path: 'rate_limit.rules[0].name',
    });
    expect(await error('  rules:', '    - { name: a, requests: 0, window: 1m }')).toMatchObject({
      path: 'rate_limit.rules[0].requests',
    });
  });

  it('refuses a server or tool key on an HTTP rule, an unknown key, and a glob without its server', async () => {
    expect(await error('  rules:', '    - { name: a, requests: 1, window: 1m, key: [principal, tool] }')).toMatchObject(
      {
        path: 'rate_limit.rules[0].key',
        fix: 'add tools: "*:*" to count tool calls, or use key: [principal]',
      },
    );
    expect(
      await error('  rules:', '    - { name: a, requests: 1, window: 1m, tools: "*:*", key: [user] }'),
    ).toMatchObject({ path: 'rate_limit.rules[0].key[0]' });
    expect(await error('  rules:', '    - { name: a, requests: 1, window: 1m, tools: search }')).toMatchObject({
      path: 'rate_limit.rules[0].tools',
      fix: 'write "search:*" for everything of server "search", or "*:search" for the tool "search" of every server',
    });
  });

  it('suggests the spelling of a misspelt key', async () => {
    expect(await error('  on_store_eror: open', ...rule)).toMatchObject({
      path: 'rate_limit.on_store_eror',
      fix: 'did you mean "on_store_error"?',
    });
    // The required key it leaves missing is reported at the misspelt one, the one to fix.
    expect(await error('  rules:', '    - { name: a, request: 1, window: 1m }')).toMatchObject({
      path: 'rate_limit.rules[0].request',
      message: 'unknown key "request", and the required "requests" is missing',
      fix: 'did you mean "requests"?',
    });
  });
});
