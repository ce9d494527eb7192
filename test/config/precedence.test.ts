/** Flags override environment variables, which override the file: seen in `validate`'s listen line. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.ts';
import { writeYaml } from './temp-config.ts';

const config = () => writeYaml('server:\n  host: 127.0.0.2\n  port: 7001\n');

async function listen(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await runCli(['validate', '--config', config(), ...args], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return /^listen: (.*)$/m.exec(result.stdout)![1]!;
}

describe('port', () => {
  it('comes from the file when nothing overrides it', async () => {
    expect(await listen([])).toBe('http://127.0.0.2:7001/mcp');
  });

  it('comes from MCP_GATEWAY_PORT over the file', async () => {
    expect(await listen([], { MCP_GATEWAY_PORT: '7002' })).toBe('http://127.0.0.2:7002/mcp');
  });

  it('comes from --port over MCP_GATEWAY_PORT', async () => {
    expect(await listen(['--port', '7003'], { MCP_GATEWAY_PORT: '7002' })).toBe('http://127.0.0.2:7003/mcp');
  });

  it('rejects --port that is not a number, as a usage error', async () => {
    const result = await runCli(['validate', '--config', config(), '--port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^mcp-gateway: GW_ERR_USAGE: .*--port: "abc" is not a port number; fix: /);
  });

  it('rejects MCP_GATEWAY_PORT that is not a number', async () => {
    const result = await runCli(['validate', '--config', config()], { env: { MCP_GATEWAY_PORT: 'abc' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('MCP_GATEWAY_PORT: "abc" is not a port number');
  });
});

describe('host', () => {
  it('comes from MCP_GATEWAY_HOST over the file', async () => {
    expect(await listen([], { MCP_GATEWAY_HOST: '127.0.0.3' })).toBe('http://127.0.0.3:7001/mcp');
  });

  it('comes from --host over MCP_GATEWAY_HOST', async () => {
    expect(await listen(['--host', '127.0.0.4'], { MCP_GATEWAY_HOST: '127.0.0.3' })).toBe('http://127.0.0.4:7001/mcp');
  });
});
