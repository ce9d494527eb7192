/** `${VAR}` substitution as loadConfig applies it to a YAML file. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/boot/config/errors.ts';
import { loadYaml } from './temp-config.ts';

const raw = async (text: string, env: Record<string, string> = {}) => (await loadYaml(text, env)).raw;

describe('references', () => {
  it('substitutes ${VAR} with the variable', async () => {
    expect(await raw('name: ${NAME}\n', { NAME: 'gateway' })).toEqual({ name: 'gateway' });
  });

  it('substitutes every reference inside a longer string', async () => {
    expect(await raw('url: http://${HOST}:${PORT}/mcp\n', { HOST: 'n8n', PORT: '5678' })).toEqual({
      url: 'http://n8n:5678/mcp',
    });
  });

  it('uses the default of ${VAR:-default} when the variable is unset', async () => {
    expect(await raw('url: "${URL:-http://localhost/mcp}"\n')).toEqual({ url: 'http://localhost/mcp' });
  });

  it('uses the default of ${VAR:-default} when the variable is empty', async () => {
    expect(await raw('url: "${URL:-http://localhost/mcp}"\n', { URL: '' })).toEqual({ url: 'http://localhost/mcp' });
  });

  it('prefers a set variable over its default', async () => {
    expect(await raw('url: "${URL:-http://localhost/mcp}"\n', { URL: 'http://n8n/mcp' })).toEqual({
      url: 'http://n8n/mcp',
    });
  });

  it('writes $${VAR} as a literal ${VAR}, even when VAR is unset', async () => {
    expect(await raw('text: "cost: $${PRICE} and ${CUR}"\n', { CUR: 'EUR' })).toEqual({
      text: 'cost: ${PRICE} and EUR',
    });
  });

  it('does not expand a reference that appears in a variable value', async () => {
    expect(await raw('a: "${OUTER}"\n', { OUTER: '${INNER}', INNER: 'no' })).toEqual({ a: '${INNER}' });
  });

  it('reports an unset variable without default as GW_ERR_ENV_MISSING', async () => {
    const error = await loadYaml('a: "${NOPE}"\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('GW_ERR_ENV_MISSING');
  });
});

describe('types of substituted values', () => {
  it('gives an unquoted whole reference the YAML type of its value: a number', async () => {
    expect(await raw('port: ${PORT}\n', { PORT: '9000' })).toEqual({ port: 9000 });
  });

  it('gives an unquoted whole reference the YAML type of its value: a boolean', async () => {
    expect(await raw('on: ${ON}\noff: ${OFF}\n', { ON: 'true', OFF: 'false' })).toEqual({ on: true, off: false });
  });

  it('types an unquoted default the same way', async () => {
    expect(await raw('port: ${PORT:-8080}\n')).toEqual({ port: 8080 });
  });

  it('keeps a double-quoted reference a string', async () => {
    expect(await raw('key: "${KEY}"\n', { KEY: '123' })).toEqual({ key: '123' });
  });

  it('keeps a single-quoted reference a string', async () => {
    expect(await raw("key: '${KEY}'\n", { KEY: 'true' })).toEqual({ key: 'true' });
  });

  it('keeps a partial reference a string', async () => {
    expect(await raw('a: v${N}\nb: ${N}0\nc: ${N}${N}\n', { N: '1' })).toEqual({ a: 'v1', b: '10', c: '11' });
  });

  it('keeps a value that is not a YAML scalar a string', async () => {
    expect(await raw('a: ${A}\n', { A: 'hello world' })).toEqual({ a: 'hello world' });
  });
});

describe('where substitution applies', () => {
  it('substitutes values inside lists of mappings', async () => {
    const text = [
      'servers:',
      '  - name: a',
      '    url: "${A_URL}"',
      '  - name: b',
      '    args: ["--port", "${B_PORT}"]',
      '',
    ].join('\n');
    expect(await raw(text, { A_URL: 'http://a/mcp', B_PORT: '7' })).toEqual({
      servers: [
        { name: 'a', url: 'http://a/mcp' },
        { name: 'b', args: ['--port', '7'] },
      ],
    });
  });

  it('names the list index in the path of a missing variable', async () => {
    const text = [
      'proxy:',
      '  servers:',
      '    - name: a',
      '    - name: b',
      '      connection:',
      '        url: "${B_URL}"',
      '',
    ].join('\n');
    const error = (await loadYaml(text).catch((e: unknown) => e)) as ConfigError;
    expect(error.path).toBe('proxy.servers[1].connection.url');
    expect(error.line).toBe(6);
  });

  it('does not substitute keys', async () => {
    expect(await raw('${KEY}: value\n', { KEY: 'replaced' })).toEqual({ '${KEY}': 'value' });
  });
});

describe('no YAML injection', () => {
  it('keeps a value that looks like a mapping one string', async () => {
    expect(await raw('a: ${VAR}\n', { VAR: 'a: b\nc: d' })).toEqual({ a: 'a: b\nc: d' });
  });

  it('keeps a value that looks like a flow list or mapping one string', async () => {
    expect(await raw('a: ${L}\nb: ${M}\n', { L: '[1, 2]', M: '{x: 1}' })).toEqual({ a: '[1, 2]', b: '{x: 1}' });
  });

  it('keeps a quoted value with a newline and a quote one string', async () => {
    expect(await raw('a: "${VAR}"\nb: 1\n', { VAR: 'x"\nb: 2' })).toEqual({ a: 'x"\nb: 2', b: 1 });
  });
});
