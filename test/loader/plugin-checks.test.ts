/** Checks on each plugin module before anything starts: definition, kernel range, order, duplicates. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginModule, pluginNames, simplePlugin, tempDir, writeFile, yaml } from './temp-plan.ts';

describe('plugin definitions', () => {
  it('rejects a module that exports no definition', async () => {
    const dir = tempDir();
    writeFile(dir, 'empty.ts', 'export const nothing = 1;\n');
    const error = await planError(yaml('plugins:', '  - ./empty.ts'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_INVALID', path: 'plugins[0]', line: 2 });
    expect(error.message).toContain('exports no plugin definition');
  });

  it('rejects a definition without setup', async () => {
    const dir = tempDir();
    writeFile(dir, 'nosetup.ts', pluginModule("{ name: 'nosetup', version: '1.0.0' } as never"));
    const error = await planError(yaml('plugins:', '  - health', '  - ./nosetup.ts'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_INVALID', path: 'plugins[1]', line: 3 });
    expect(error.message).toContain('has no setup function');
  });

  it('reports a module that throws at import with its message', async () => {
    const dir = tempDir();
    writeFile(dir, 'throws.ts', "throw new Error('kaboom while importing');\n");
    const error = await planError(yaml('plugins:', '  - use: ./throws.ts'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_INVALID', path: 'plugins[0].use', line: 2 });
    expect(error.message).toContain('kaboom while importing');
  });

  it('rejects a plugin whose kernel range excludes this kernel', async () => {
    const dir = tempDir();
    writeFile(dir, 'future.ts', simplePlugin('future', "kernel: '^2.0.0',"));
    const error = await planError(yaml('plugins:', '  - ./future.ts'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_KERNEL', path: 'plugins[0]', line: 2, plugin: 'future' });
    expect(error.message).toContain('^2.0.0');
  });

  it('accepts a plugin whose kernel range includes this kernel', async () => {
    const dir = tempDir();
    writeFile(dir, 'current.ts', simplePlugin('current', "kernel: '>=1.0.0 <2',"));
    expect(pluginNames(await planYaml(yaml('plugins:', '  - ./current.ts'), { dir }))).toEqual(['current']);
  });
});

describe('plugin order and uniqueness', () => {
  it('rejects a plugin that requires one not loaded before it', async () => {
    const dir = tempDir();
    writeFile(dir, 'needy.ts', simplePlugin('needy', "requires: ['health'],"));
    const error = await planError(yaml('plugins:', '  - ./needy.ts', '  - health'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_REQUIRES', path: 'plugins[0]', line: 2, plugin: 'needy' });
    expect(error.fix).toContain('"health"');
  });

  it('accepts a plugin whose requirement is loaded before it', async () => {
    const dir = tempDir();
    writeFile(dir, 'needy.ts', simplePlugin('needy', "requires: ['health'],"));
    expect(pluginNames(await planYaml(yaml('plugins:', '  - health', '  - ./needy.ts'), { dir }))).toEqual([
      'health',
      'needy',
    ]);
  });

  it('rejects the same plugin listed twice', async () => {
    const error = await planError(yaml('plugins:', '  - health', '  - use: health'));
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_DUPLICATE', path: 'plugins[1].use', line: 3, plugin: 'health' });
    expect(error.message).toContain('plugins[0]');
  });

  it('rejects a --plugins entry that repeats a configured plugin', async () => {
    const error = await planError(yaml('plugins:', '  - health'), { extraPlugins: ['health'] });
    expect(error.code).toBe('GW_ERR_PLUGIN_DUPLICATE');
  });

  it('skips entries with enabled: false without loading them', async () => {
    const plan = await planYaml(yaml('plugins:', '  - use: ./does-not-exist.ts', '    enabled: false', '  - health'));
    expect(pluginNames(plan)).toEqual(['health']);
  });
});
