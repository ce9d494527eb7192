/**
 * Every configuration mistake ends `mcp-gateway validate` with exit code 1 and one line on stderr:
 * the code, the file and line, the key path, what is wrong and how to fix it; never a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/processes.ts';
import { writeYaml } from './temp-config.ts';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
/** The "; fix: ..." clause ConfigError.describe() appends. */
const fixClause = /; fix: \S/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Expected {
  readonly code: string;
  /** The line number after the file name; 'any' when any number will do, 'none' when there is no line to name. */
  readonly line: number | 'any' | 'none';
  readonly path?: string;
  readonly includes?: readonly string[];
  /** How the line tells the fix; the `; fix:` clause unless the message itself says it. */
  readonly fix?: RegExp;
}

function expectOneLineError(result: CliResult, file: string | undefined, expected: Expected): string {
  expect(result.code).toBe(1);
  expect(result.stderr.endsWith('\n')).toBe(true);
  const stderr = result.stderr.slice(0, -1);
  expect(stderr.split('\n')).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
  // A plugin's own settings name it: `GW_ERR_CONFIG (plugin streamable-http): ...`.
  expect(stderr).toMatch(new RegExp(`^mcp-gateway: ${expected.code}( \\(plugin [a-z-]+\\))?: `));
  if (file && expected.line === 'none') expect(stderr).toContain(`${file}: `);
  else if (file)
    expect(stderr).toMatch(new RegExp(`${escapeRegExp(file)}:${expected.line === 'any' ? '\\d+' : expected.line}: `));
  if (expected.path) expect(stderr).toContain(` ${expected.path}: `);
  for (const text of expected.includes ?? []) expect(stderr).toContain(text);
  expect(stderr).toMatch(expected.fix ?? fixClause);
  return stderr;
}

async function validateYaml(text: string, expected: Expected): Promise<string> {
  const file = writeYaml(text);
  return expectOneLineError(await runCli(['validate', '--config', file]), file, expected);
}

describe('one-line configuration errors', () => {
  it('names a missing environment variable and suggests a default', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: n8n',
        '      type: streamable-http',
        '      connection:',
        '        url: "${N8N_URL}"',
      ),
      {
        code: 'GW_ERR_ENV_MISSING',
        line: 6,
        path: 'proxy.servers[0].connection.url',
        includes: ['N8N_URL', '${N8N_URL:-'],
      },
    );
  });

  it('suggests the right spelling of a misspelt key', async () => {
    await validateYaml(lines('server: { prot: 8082 }'), {
      code: 'GW_ERR_CONFIG',
      line: 1,
      path: 'server.prot',
      includes: ['did you mean "port"'],
    });
  });

  it('names the expected type of a wrongly typed value', async () => {
    await validateYaml(lines('server:', '  port: "abc"'), {
      code: 'GW_ERR_CONFIG',
      line: 2,
      path: 'server.port',
      includes: ['expected number', '"abc"'],
    });
  });

  it('lists the allowed values of an enum', async () => {
    await validateYaml(lines('logging:', '  format: yaml'), {
      code: 'GW_ERR_CONFIG',
      line: 2,
      path: 'logging.format',
      includes: ['"json"', '"text"'],
    });
  });

  it('shows how to write a duration', async () => {
    await validateYaml(lines('proxy:', '  timeout: 5 parsecs'), {
      code: 'GW_ERR_CONFIG',
      line: 2,
      path: 'proxy.timeout',
      includes: ['"5 parsecs" is not a duration'],
      fix: /write it like 30s/,
    });
  });

  it('rejects an unknown top-level section', async () => {
    await validateYaml(lines('server: {}', 'metrix: {}'), {
      code: 'GW_ERR_CONFIG',
      line: 2,
      path: 'metrix',
      includes: ['section "metrix"'],
    });
  });

  it('rejects a duplicate server name', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: stdio',
        '      connection: { command: x }',
        '    - name: a',
        '      type: stdio',
        '      connection: { command: y }',
      ),
      { code: 'GW_ERR_CONFIG', line: 6, path: 'proxy.servers[1].name', includes: ['duplicate server name "a"'] },
    );
  });

  it("lists the protocol eras a server's protocol may name", async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: stdio',
        '      protocol: 2026-06-18',
        '      connection: { command: x }',
      ),
      {
        code: 'GW_ERR_CONFIG',
        line: 5,
        path: 'proxy.servers[0].protocol',
        includes: ['"auto"', '"2026-07-28"', '"2025-11-25"'],
      },
    );
  });

  it('rejects two servers with the same prefix', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      prefix: p',
        '      type: stdio',
        '      connection: { command: x }',
        '    - name: b',
        '      prefix: p',
        '      type: stdio',
        '      connection: { command: y }',
      ),
      { code: 'GW_ERR_CONFIG', line: 8, path: 'proxy.servers[1].prefix', includes: ['prefix "p"'] },
    );
  });

  it('rejects an endpoint naming an unknown server, with a guess', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: github',
        '      type: stdio',
        '      connection: { command: x }',
        'endpoints:',
        '  dev:',
        '    path: /mcp/dev',
        '    servers: [githb]',
      ),
      {
        code: 'GW_ERR_CONFIG',
        line: 'any',
        path: 'endpoints.dev.servers[0]',
        includes: ['no server is named "githb"'],
        fix: /; fix: did you mean "github"\?$/,
      },
    );
  });

  it('rejects two endpoints on one path', async () => {
    await validateYaml(lines('endpoints:', '  a: { path: /mcp/x }', '  b: { path: /mcp/x }'), {
      code: 'GW_ERR_CONFIG',
      line: 3,
      path: 'endpoints.b.path',
      includes: ['path /mcp/x is already endpoint "a"\'s'],
      fix: /; fix: choose another path, e.g. \/mcp\/b$/,
    });
  });

  it('rejects a server whose type no plugin serves', async () => {
    await validateYaml(lines('proxy:', '  servers:', '    - name: a', '      type: carrier-pigeon'), {
      code: 'GW_ERR_TRANSPORT_MISSING',
      line: 4,
      path: 'proxy.servers[0].type',
      includes: ['"carrier-pigeon"'],
    });
  });

  it('rejects a streamable-http server with a bad url', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: streamable-http',
        '      connection:',
        '        url: not a url',
      ),
      {
        code: 'GW_ERR_CONFIG',
        line: 6,
        path: 'proxy.servers[0].connection.url',
      },
    );
  });

  it('names every unset environment variable, each with its line', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: streamable-http',
        '      connection:',
        '        url: "${A_URL}"',
        '        headers:',
        '          X-Key: "${A_KEY}/${A_URL}"',
      ),
      {
        code: 'GW_ERR_ENV_MISSING',
        line: 6,
        path: 'proxy.servers[0].connection.url',
        includes: ['A_URL is not set (also unset: A_KEY at line 8)', 'set A_URL and A_KEY'],
      },
    );
  });

  it('writes "an object" when a section is not a mapping', async () => {
    await validateYaml(lines('logging: verbose'), {
      code: 'GW_ERR_CONFIG',
      line: 1,
      path: 'logging',
      includes: ['got the string "verbose"'],
      fix: /; fix: write an object here$/,
    });
  });

  it('suggests a kernel key misspelt in a server, whose transport rejects it', async () => {
    await validateYaml(
      lines(
        'proxy:',
        '  servers:',
        '    - name: a',
        '      type: stdio',
        '      prefx: b',
        '      connection: { command: x }',
      ),
      {
        code: 'GW_ERR_CONFIG',
        line: 5,
        path: 'proxy.servers[0].prefx',
        includes: ['unknown key "prefx"', 'did you mean "prefix"?'],
      },
    );
  });

  it('names a misspelt key as the cause of the required key it leaves missing', async () => {
    await validateYaml(
      lines('proxy:', '  servers:', '    - name: a', '      type: stdio', '      conection: { command: x }'),
      {
        code: 'GW_ERR_CONFIG',
        line: 5,
        path: 'proxy.servers[0].conection',
        includes: ['unknown key "conection", and the required "connection" is missing', 'did you mean "connection"?'],
      },
    );
  });

  it('suggests the transport type nearest a misspelt one', async () => {
    await validateYaml(
      lines('proxy:', '  servers:', '    - name: a', '      type: stdoi', '      connection: { command: x }'),
      {
        code: 'GW_ERR_TRANSPORT_MISSING',
        line: 4,
        path: 'proxy.servers[0].type',
        includes: ['did you mean "stdio"?'],
      },
    );
  });

  it('suggests the section of a built-in plugin for a misspelt section', async () => {
    await validateYaml(lines('ratelimit:', '  rules: []'), {
      code: 'GW_ERR_CONFIG',
      line: 'any',
      path: 'ratelimit',
      includes: ['did you mean "rate_limit"?'],
    });
  });

  it('points at invalid YAML syntax', async () => {
    await validateYaml(lines('server:', '  port: [1, 2', 'logging: {}'), {
      code: 'GW_ERR_CONFIG',
      line: 'any',
      includes: ['invalid YAML'],
    });
  });
});

describe('one-line errors outside the file', () => {
  it('reports a --config file that does not exist', async () => {
    const file = `${writeYaml('{}')}.missing`;
    expectOneLineError(await runCli(['validate', '--config', file]), file, {
      code: 'GW_ERR_CONFIG_NOT_FOUND',
      line: 'none',
      includes: ['does not exist'],
    });
  });

  it('suggests MCP_GATEWAY_PORT for an unknown MCP_GATEWAY_PROT', async () => {
    const result = await runCli(['validate', '--config', writeYaml('{}')], { env: { MCP_GATEWAY_PROT: '9000' } });
    expectOneLineError(result, undefined, {
      code: 'GW_ERR_CONFIG',
      line: 'none',
      includes: ['MCP_GATEWAY_PROT', 'did you mean MCP_GATEWAY_PORT'],
    });
  });

  it('ignores the variables Kubernetes injects for a Service named mcp-gateway', async () => {
    const env = {
      MCP_GATEWAY_SERVICE_HOST: '10.0.0.1',
      MCP_GATEWAY_SERVICE_PORT: '8082',
      MCP_GATEWAY_PORT: 'tcp://10.0.0.1:8082',
      MCP_GATEWAY_PORT_8082_TCP: 'tcp://10.0.0.1:8082',
    };
    const result = await runCli(['validate', '--config', writeYaml(lines('server:', '  port: 7100'))], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('listen: http://127.0.0.1:7100/mcp');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runCli(['validate', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--bogus');
  });
});
