/** Where a `use:` entry is found: a built-in, a path, a `--plugins` entry, or an npm package. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinsDir } from '../../core/boot/loader/resolve.ts';
import { planError, planYaml, pluginNames, simplePlugin, tempDir, writeFile, yaml } from './temp-plan.ts';

describe('plugin resolution', () => {
  it('loads a built-in by name', async () => {
    const plan = await planYaml(yaml('plugins:', '  - health'));
    expect(plan.plugins).toHaveLength(1);
    expect(plan.plugins[0]).toMatchObject({
      origin: 'builtin',
      file: join(builtinsDir, 'health', 'index.ts'),
      from: 'plugins[0]',
    });
    expect(plan.plugins[0]!.definition.name).toBe('health');
  });

  it('resolves a path relative to the config file, not the working directory', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'conf/plugins/audit.ts', simplePlugin('audit'));
    const plan = await planYaml(yaml('plugins:', '  - ./plugins/audit.ts'), {
      dir,
      configName: 'conf/mcp-gateway.yaml',
      cwd: tempDir(),
    });
    expect(plan.plugins[0]).toMatchObject({ origin: 'path', file, from: 'plugins[0]' });
    expect(plan.plugins[0]!.definition.name).toBe('audit');
  });

  it('loads the index file of a plugin folder', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'audit/index.ts', simplePlugin('audit-folder'));
    const plan = await planYaml(yaml('plugins:', '  - use: ./audit'), { dir });
    expect(plan.plugins[0]).toMatchObject({ origin: 'path', file });
  });

  it('appends --plugins entries after the configured ones, resolved against the working directory', async () => {
    const cwd = tempDir();
    const file = writeFile(cwd, 'extra.ts', simplePlugin('extra'));
    const plan = await planYaml(yaml('plugins:', '  - health'), { extraPlugins: ['./extra.ts'], cwd });
    expect(pluginNames(plan)).toEqual(['health', 'extra']);
    expect(plan.plugins[1]).toMatchObject({ origin: 'path', file, from: '--plugins' });
  });

  it('resolves an npm package from the config file folder', async () => {
    const dir = tempDir();
    const pkg = 'node_modules/@acme/mcp-gw-demo';
    writeFile(
      dir,
      `${pkg}/package.json`,
      JSON.stringify({ name: '@acme/mcp-gw-demo', version: '2.3.4', type: 'module', exports: './index.js' }),
    );
    const file = writeFile(
      dir,
      `${pkg}/index.js`,
      "export default { name: '@acme/mcp-gw-demo', version: '2.3.4', setup() {} };\n",
    );
    const plan = await planYaml(yaml('plugins:', '  - use: "@acme/mcp-gw-demo"'), { dir });
    expect(plan.plugins[0]).toMatchObject({ origin: 'package', file });
    expect(plan.plugins[0]!.definition).toMatchObject({ name: '@acme/mcp-gw-demo', version: '2.3.4' });
  });

  it('reports a name that is neither built-in nor installed', async () => {
    const error = await planError(yaml('plugins:', '  - health', '  - use: no-such-plugin-xyz'));
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_NOT_FOUND', path: 'plugins[1].use', line: 3 });
    expect(error.message).toContain('"no-such-plugin-xyz"');
  });

  it('reports a path that does not exist', async () => {
    const error = await planError(yaml('plugins:', '  - ./missing.ts'));
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_NOT_FOUND', path: 'plugins[0]', line: 2 });
  });
});
