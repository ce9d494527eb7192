/** Which configuration file the gateway reads: --config, then MCP_GATEWAY_CONFIG, then the working directory, then the embedded default. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedConfigFile, locateConfig, systemConfigFile } from '../../core/boot/config/load.ts';
import { runCli, tempDir } from '../helpers/processes.ts';
import { writeYaml } from './temp-config.ts';

const portConfig = (port: number, name: string, dir: string) => writeYaml(`server:\n  port: ${port}\n`, name, dir);

async function validateIn(cwd: string, args: readonly string[] = [], env: Record<string, string> = {}) {
  const result = await runCli(['validate', ...args], { cwd, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return {
    config: /^config: (.*)$/m.exec(result.stdout)![1],
    port: Number(/^listen: .*:(\d+)\/mcp$/m.exec(result.stdout)![1]),
  };
}

describe('search in the working directory', () => {
  it('finds mcp-gateway.yaml', async () => {
    const dir = tempDir();
    portConfig(7201, 'mcp-gateway.yaml', dir);
    expect(await validateIn(dir)).toEqual({
      config: './mcp-gateway.yaml (found in the working directory)',
      port: 7201,
    });
  });

  it('finds .mcp-gatewayrc.yaml', async () => {
    const dir = tempDir();
    portConfig(7202, '.mcp-gatewayrc.yaml', dir);
    expect(await validateIn(dir)).toEqual({
      config: './.mcp-gatewayrc.yaml (found in the working directory)',
      port: 7202,
    });
  });

  it('prefers mcp-gateway.yaml to .mcp-gatewayrc.yaml', async () => {
    const dir = tempDir();
    const preferred = portConfig(7203, 'mcp-gateway.yaml', dir);
    portConfig(7204, '.mcp-gatewayrc.yaml', dir);
    expect(await locateConfig({ env: {}, cwd: dir })).toEqual({ file: preferred, origin: 'search' });
  });

  it('does not look in parent folders', async () => {
    const dir = tempDir();
    portConfig(7205, 'mcp-gateway.yaml', dir);
    const child = join(dir, 'child');
    mkdirSync(child);
    expect((await locateConfig({ env: {}, cwd: child })).file).not.toBe(join(dir, 'mcp-gateway.yaml'));
  });
});

describe('explicit choices', () => {
  it('takes MCP_GATEWAY_CONFIG over the search, relative to the working directory', async () => {
    const dir = tempDir();
    portConfig(7211, 'mcp-gateway.yaml', dir);
    portConfig(7212, 'other.yaml', dir);
    expect(await validateIn(dir, [], { MCP_GATEWAY_CONFIG: 'other.yaml' })).toEqual({
      config: './other.yaml (from MCP_GATEWAY_CONFIG)',
      port: 7212,
    });
  });

  it('takes --config over MCP_GATEWAY_CONFIG', async () => {
    const dir = tempDir();
    portConfig(7221, 'mcp-gateway.yaml', dir);
    portConfig(7222, 'env.yaml', dir);
    portConfig(7223, 'flag.yaml', dir);
    expect(await validateIn(dir, ['--config', 'flag.yaml'], { MCP_GATEWAY_CONFIG: 'env.yaml' })).toEqual({
      config: './flag.yaml (from --config)',
      port: 7223,
    });
  });
});

describe('with nothing to find', () => {
  it.skipIf(existsSync(systemConfigFile))('uses the embedded default', async () => {
    const dir = tempDir();
    expect(await locateConfig({ env: {}, cwd: dir })).toEqual({ file: embeddedConfigFile, origin: 'embedded' });
    const { config, port } = await validateIn(dir);
    expect(config).toBe(`${embeddedConfigFile} (the embedded default)`);
    expect(port).toBe(8082);
  });
});
