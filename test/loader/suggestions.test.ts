/**
 * A misspelt key, section or type is named with what it was likely meant to be, wherever it is
 * looked up: kernel and transport keys of a server together, built-in plugins that are not loaded.
 */
import { describe, expect, it } from 'vitest';
import { planError, yaml } from './temp-plan.ts';

const stdioServer = (...lines: string[]) => yaml('proxy:', '  servers:', ...lines);

describe('keys of a server', () => {
  it("suggests the kernel's connection.timeout inside the transport's connection", async () => {
    const error = await planError(
      stdioServer(
        '    - name: a',
        '      type: stdio',
        '      connection:',
        '        command: x',
        '        timout: 5s',
      ),
    );
    expect(error).toMatchObject({
      path: 'proxy.servers[0].connection.timout',
      line: 7,
      fix: 'did you mean "timeout"?',
    });
  });

  it("names the key the kernel's missing name: was misspelt as", async () => {
    const error = await planError(stdioServer('    - nme: a', '      type: stdio', '      connection: { command: x }'));
    expect(error).toMatchObject({ path: 'proxy.servers[0].nme', line: 3, fix: 'did you mean "name"?' });
    expect(error.message).toBe('unknown key "nme", and the required "name" is missing');
  });
});

describe('a required key missing beside an unknown one', () => {
  it('names the unknown key as the likely cause even when it is not close', async () => {
    const error = await planError(yaml('rate_limit:', '  requests: 10'));
    expect(error).toMatchObject({ code: 'GW_ERR_PLUGIN_OPTIONS', path: 'rate_limit.requests', line: 2 });
    expect(error.message).toBe('unknown key "requests", and the required "rules" is missing');
    expect(error.fix).toBe('rename it to "rules" if that is what it is for, or add rules: (an array)');
  });
});

describe('built-in plugins a listed configuration leaves out', () => {
  it('asks to add the plugin that reads a section', async () => {
    const error = await planError(yaml('plugins: [health]', 'rate_limit:', '  rules: []'));
    expect(error).toMatchObject({ path: 'rate_limit', fix: 'add "rate-limit" to plugins:' });
  });

  it('suggests a misspelt section and asks to add its plugin', async () => {
    const error = await planError(yaml('plugins: [health]', 'ratelimit:', '  rules: []'));
    expect(error).toMatchObject({
      path: 'ratelimit',
      fix: 'did you mean "rate_limit"? (and add "rate-limit" to plugins:)',
    });
  });

  it('asks to add the transport for a server type', async () => {
    const error = await planError(
      yaml(
        'plugins: [health]',
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: stdio',
        '      connection: { command: x }',
      ),
    );
    expect(error).toMatchObject({
      code: 'GW_ERR_TRANSPORT_MISSING',
      path: 'proxy.servers[0].type',
      fix: 'add "stdio" to plugins:',
    });
  });
});
