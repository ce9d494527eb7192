/** A plugin's options: from its entry or its config section, validated by its own zod schema. */
import { describe, expect, it } from 'vitest';
import { planError, planYaml, pluginModule, simplePlugin, tempDir, writeFile, yaml } from './temp-plan.ts';

/** A folder with greet.ts: options { greeting: string, count = 1 }, read from the `greet:` section by default. */
function greetPlugin(): string {
  const dir = tempDir();
  writeFile(
    dir,
    'greet.ts',
    pluginModule(`{
      name: 'greet',
      version: '1.0.0',
      section: 'greet',
      configSchema: z.strictObject({ greeting: z.string(), count: z.number().default(1) }),
      setup() {},
    }`),
  );
  return dir;
}

describe('options given in the plugins: entry', () => {
  it('validates them with the plugin schema and applies its defaults', async () => {
    const plan = await planYaml(yaml('plugins:', '  - use: ./greet.ts', '    options: { greeting: hi }'), {
      dir: greetPlugin(),
    });
    expect(plan.plugins[0]!.options).toEqual({ greeting: 'hi', count: 1 });
  });

  it('reports an invalid option at plugins[N].options.key with its line', async () => {
    const text = yaml('plugins:', '  - health', '  - use: ./greet.ts', '    options:', '      greeting: 5');
    const error = await planError(text, { dir: greetPlugin() });
    expect(error).toMatchObject({
      code: 'GW_ERR_PLUGIN_OPTIONS',
      path: 'plugins[1].options.greeting',
      line: 5,
      plugin: 'greet',
    });
    expect(error.message).toContain('expected string');
  });

  it('suggests the spelling of a misspelt option', async () => {
    const text = yaml('plugins:', '  - use: ./greet.ts', '    options:', '      greeting: hi', '      cuont: 2');
    const error = await planError(text, { dir: greetPlugin() });
    expect(error).toMatchObject({ path: 'plugins[0].options.cuont', line: 5, fix: 'did you mean "count"?' });
  });

  it('rejects options for a plugin that takes none', async () => {
    const dir = tempDir();
    writeFile(dir, 'plain.ts', simplePlugin('plain'));
    const error = await planError(yaml('plugins:', '  - use: ./plain.ts', '    options: { a: 1 }'), { dir });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_OPTIONS', path: 'plugins[0].options' });
  });
});

describe('options read from the plugin section', () => {
  it('reads the section when the entry gives no options', async () => {
    const plan = await planYaml(yaml('plugins:', '  - ./greet.ts', 'greet:', '  greeting: hello', '  count: 3'), {
      dir: greetPlugin(),
    });
    expect(plan.plugins[0]!.options).toEqual({ greeting: 'hello', count: 3 });
  });

  it('reports an invalid section value at its own path', async () => {
    const error = await planError(yaml('plugins:', '  - ./greet.ts', 'greet:', '  greeting: [1]'), {
      dir: greetPlugin(),
    });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_OPTIONS', path: 'greet.greeting', line: 4 });
  });

  it('names the plugin in the one-line description of a section error', async () => {
    const error = await planError(yaml('plugins:', '  - ./greet.ts', 'greet:', '  greeting: 5'), {
      dir: greetPlugin(),
    });
    expect(error.path).toBe('greet.greeting');
    expect(error.describe()).toContain('greet.greeting');
    // Architecture principle 4: "exit with a coded error naming the plugin and the YAML path".
    expect(error.describe()).toMatch(/plugin "?greet"?/);
  });

  it('rejects a section when the entry also gives options', async () => {
    const text = yaml(
      'plugins:',
      '  - use: ./greet.ts',
      '    options: { greeting: hi }',
      'greet:',
      '  greeting: hello',
    );
    const error = await planError(text, { dir: greetPlugin() });
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_OPTIONS', path: 'greet', line: 5 });
    expect(error.message).toContain('plugins[0]');
  });

  it('rejects a section that no loaded plugin claims, suggesting a close one', async () => {
    const error = await planError(yaml('plugins:', '  - ./greet.ts', 'greet:', '  greeting: hi', 'greeet: {}'), {
      dir: greetPlugin(),
    });
    expect(error).toMatchObject({ code: 'GW_ERR_CONFIG', path: 'greeet', line: 5, fix: 'did you mean "greet"?' });
  });

  it('rejects the section of a plugin that is not loaded', async () => {
    const error = await planError(yaml('plugins:', '  - health', 'greet:', '  greeting: hi'), { dir: greetPlugin() });
    expect(error).toMatchObject({ code: 'GW_ERR_CONFIG', path: 'greet', line: 4 });
  });
});
