/** The `cache:` section: implied loading and its place, defaults, and one-line errors naming the key to fix. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginNames, yaml } from '../../test/loader/temp-plan.ts';

const servers = [
  'proxy:',
  '  servers:',
  '    - name: weather',
  '      type: stdio',
  '      connection: { command: node }',
];
const cacheOptions = async (...lines: string[]) =>
  (await planYaml(yaml(...lines, ...servers))).plugins.find((p) => p.definition.name === 'cache')?.options;

describe('loading', () => {
  it('is implied by a cache: section, after permissions and before the transports', async () => {
    const names = pluginNames(
      await planYaml(yaml('auth: {}', 'cache:', '  rules: [{ tools: "weather:*" }]', ...servers)),
    );
    expect(names.indexOf('cache')).toBeGreaterThan(names.indexOf('permissions'));
    expect(names.indexOf('cache')).toBeLessThan(names.indexOf('stdio'));
    expect(pluginNames(await planYaml(yaml(...servers)))).not.toContain('cache');
  });

  it('defaults to the memory store, 10 000 entries, 1mb results, a 5m TTL for annotated tools only', async () => {
    expect(await cacheOptions('cache:', '  rules: [{ tools: "weather:*" }]')).toEqual({
      store: 'memory',
      max_entries: 10_000,
      max_result_size: 1024 * 1024,
      rules: [{ tools: 'weather:*', ttl: 300_000, annotated_only: true }],
    });
  });

  it('reads every option, a list of patterns, and the redis connection with its defaults', async () => {
    const options = await cacheOptions(
      'cache:',
      '  store: redis',
      '  redis: { url: "redis://cache:6379" }',
      '  max_entries: 5',
      '  max_result_size: 64kb',
      '  rules:',
      '    - { tools: ["weather:get_*", "*:lookup"], ttl: 1m30s, annotated_only: false }',
      '    - { tools: "weather:*", ttl: 250ms }',
    );
    expect(options).toEqual({
      store: 'redis',
      redis: { url: 'redis://cache:6379', key_prefix: 'mcp-gateway:', connect_timeout: 2000, command_timeout: 500 },
      max_entries: 5,
      max_result_size: 64 * 1024,
      rules: [
        { tools: ['weather:get_*', '*:lookup'], ttl: 90_000, annotated_only: false },
        { tools: 'weather:*', ttl: 250, annotated_only: true },
      ],
    });
  });
});

describe('errors', () => {
  it('asks for rules: caching is opt-in', async () => {
    expect(await planError(yaml('cache: {}', ...servers))).toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      path: 'cache.rules',
    });
    expect(await planError(yaml('cache:', '  rules: []', ...servers))).toMatchObject({ path: 'cache.rules' });
  });

  it('refuses a pattern that is not server:tool, with a fix', async () => {
    expect(await planError(yaml('cache:', '  rules: [{ tools: weather }]', ...servers))).toMatchObject({
      path: 'cache.rules[0].tools',
      fix: 'write "weather:*" for everything of server "weather", or "*:weather" for the tool "weather" of every server',
    });
    expect(await planError(yaml('cache:', '  rules: [{ tools: ["weather:*", ":x"] }]', ...servers))).toMatchObject({
      path: 'cache.rules[0].tools',
    });
  });

  it('refuses a zero or malformed TTL, a misspelt key, a zero bound', async () => {
    expect(await planError(yaml('cache:', '  rules: [{ tools: "a:b", ttl: 0 }]', ...servers))).toMatchObject({
      path: 'cache.rules[0].ttl',
    });
    expect(await planError(yaml('cache:', '  rules: [{ tools: "a:b", ttl: 5 minutes }]', ...servers))).toMatchObject({
      path: 'cache.rules[0].ttl',
    });
    expect(
      await planError(yaml('cache:', '  rules: [{ tools: "a:b", anotated_only: false }]', ...servers)),
    ).toMatchObject({
      path: 'cache.rules[0].anotated_only',
      fix: 'did you mean "annotated_only"?',
    });
    expect(
      await planError(yaml('cache:', '  max_entries: 0', '  rules: [{ tools: "a:b" }]', ...servers)),
    ).toMatchObject({ path: 'cache.max_entries' });
  });

  it('asks for redis with store: redis, and refuses it with store: memory', async () => {
    expect(await planError(yaml('cache:', '  store: redis', '  rules: [{ tools: "a:b" }]', ...servers))).toMatchObject({
      path: 'cache.redis',
      message: 'is required when store is "redis"',
    });
    expect(
      await planError(yaml('cache:', '  redis: { url: "redis://x:6379" }', '  rules: [{ tools: "a:b" }]', ...servers)),
    ).toMatchObject({
      path: 'cache.redis',
      fix: 'set store: redis, or remove cache.redis',
    });
  });
});
