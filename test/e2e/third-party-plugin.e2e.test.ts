/**
 * Plugins from outside the repository, loaded with --plugins exactly as a user would: a
 * TypeScript file importing 'mcp-gateway' from a folder with no node_modules, a plain
 * JavaScript file importing nothing, and plugins in a folder made with `npm init -y`, whose
 * package.json says `"type": "commonjs"` (npm 11).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import {
  repoRoot,
  runCli,
  startFixtureHttp,
  startGateway,
  tempDir,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';

let upstream: FixtureHttp;
let gateway: RunningGateway;
let client: Client;
let outside: string;

/** A folder as `npm init -y` leaves it (npm 11 writes the "type"). */
function npmInitFolder(parent: string): string {
  const dir = join(parent, 'npm-init');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'npm-init', version: '1.0.0', main: 'index.js', type: 'commonjs' }, null, 2),
  );
  return dir;
}

beforeAll(async () => {
  outside = tempDir('mcpgw-third-party-');
  copyFileSync(join(repoRoot, 'config/examples/plugins/redact-secrets.ts'), join(outside, 'redact-secrets.ts'));
  writeFileSync(
    join(outside, 'hide-failing.mjs'),
    `export default {
      name: 'hide-failing',
      version: '0.0.1',
      setup: () => ({ onListTools: (items) => items.filter((item) => item.name !== 'fail') }),
    };\n`,
  );
  writeFileSync(
    join(npmInitFolder(outside), 'hide-tools.ts'),
    `import { definePlugin, z } from 'mcp-gateway';

    export default definePlugin({
      name: 'hide-tools',
      version: '1.0.0',
      configSchema: z.strictObject({ hide: z.array(z.string()).default(['slow']) }),
      setup: ({ options }) => ({ onListTools: (items) => items.filter((item) => !options.hide.includes(item.name)) }),
    });\n`,
  );
  upstream = await startFixtureHttp('alpha');
  gateway = await startGateway({
    config: { proxy: { servers: [{ name: 'alpha', type: 'streamable-http', connection: { url: upstream.url } }] } },
    args: ['--plugins', './redact-secrets.ts,./hide-failing.mjs,./npm-init/hide-tools.ts'],
    cwd: outside,
  });
  client = await connectClient(gateway.mcpUrl);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await upstream?.stop();
});

it('loads both files after the configured plugins, in the order given', async () => {
  const boot = await gateway.waitForLog((l) => l.msg === 'starting mcp-gateway');
  const plugins = boot.plugins as string[];
  expect(plugins.map((p) => p.split('@')[0])).toEqual([
    'health',
    'metrics',
    'streamable-http',
    'redact-secrets',
    'hide-failing',
    'hide-tools',
  ]);
  expect(plugins[3]).toContain('mcpgw-third-party-');
});

it('lets the TypeScript plugin change a tools/call result', async () => {
  const result = await client.callTool({
    name: 'alpha__echo',
    arguments: { text: 'key AKIAABCDEFGHIJKLMNOP, token ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
  });
  expect(result.content).toEqual([{ type: 'text', text: 'alpha: key [redacted], token [redacted]' }]);
  const clean = await client.callTool({ name: 'alpha__echo', arguments: { text: 'nothing secret' } });
  expect(clean.content).toEqual([{ type: 'text', text: 'alpha: nothing secret' }]);
});

it('lets the JavaScript plugin filter tools/list', async () => {
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toContain('alpha__echo');
  expect(names).not.toContain('alpha__fail');
});

describe('in a folder whose package.json says "type": "commonjs"', () => {
  it('loads a TypeScript plugin as the ES module it is written as', async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('alpha__echo');
    expect(names).not.toContain('alpha__slow');
  });

  // Node resolves a CommonJS require's name itself; only module.registerHooks (Node 22.15+) reaches it.
  const requireMapped = typeof (module as { registerHooks?: unknown }).registerHooks === 'function';
  const writeRequirePlugin = () => {
    const file = join(npmInitFolder(outside), 'require-plugin.js');
    writeFileSync(
      file,
      `const { definePlugin } = require('mcp-gateway');
      module.exports = definePlugin({ name: 'require-plugin', version: '1.0.0', setup: () => ({}) });\n`,
    );
    return file;
  };

  it.runIf(requireMapped)("loads a CommonJS plugin that calls require('mcp-gateway')", async () => {
    const result = await runCli(['validate', '--plugins', writeRequirePlugin()], { cwd: outside });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/require-plugin 1\.0\.0/);
    expect(result.code).toBe(0);
  });

  it.skipIf(requireMapped)("names the cause and the fix when this Node cannot map require('mcp-gateway')", async () => {
    const result = await runCli(['validate', '--plugins', writeRequirePlugin()], { cwd: outside });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /GW_ERR_PLUGIN_INVALID.*require\('mcp-gateway'\) needs Node\.js 22\.15 or later.*write the plugin as an ES module/,
    );
  });
});
