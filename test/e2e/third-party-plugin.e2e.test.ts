/**
 * Plugins from outside the repository, loaded with --plugins exactly as a user would: a
 * TypeScript file importing 'mcp-gateway' from a folder with no node_modules, and a plain
 * JavaScript file importing nothing.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import { repoRoot, startFixtureHttp, startGateway, tempDir, type FixtureHttp, type RunningGateway } from '../helpers/processes.ts';

let upstream: FixtureHttp;
let gateway: RunningGateway;
let client: Client;

beforeAll(async () => {
  const outside = tempDir('mcpgw-third-party-');
  copyFileSync(join(repoRoot, 'config/examples/plugins/redact-secrets.ts'), join(outside, 'redact-secrets.ts'));
  writeFileSync(
    join(outside, 'hide-failing.mjs'),
    `export default {
      name: 'hide-failing',
      version: '0.0.1',
      setup: () => ({ onListTools: (items) => items.filter((item) => item.name !== 'fail') }),
    };\n`,
  );
  upstream = await startFixtureHttp('alpha');
  gateway = await startGateway({
    config: { proxy: { servers: [{ name: 'alpha', type: 'streamable-http', connection: { url: upstream.url } }] } },
    args: ['--plugins', './redact-secrets.ts,./hide-failing.mjs'],
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
  expect(plugins.map((p) => p.split('@')[0])).toEqual(['health', 'metrics', 'streamable-http', 'redact-secrets', 'hide-failing']);
  expect(plugins[3]).toContain('mcpgw-third-party-');
});

it('lets the TypeScript plugin change a tools/call result', async () => {
  const result = await client.callTool({ name: 'alpha__echo', arguments: { text: 'key AKIAABCDEFGHIJKLMNOP, token ghp_abcdefghijklmnopqrstuvwxyz0123456789' } });
  expect(result.content).toEqual([{ type: 'text', text: 'alpha: key [redacted], token [redacted]' }]);
  const clean = await client.callTool({ name: 'alpha__echo', arguments: { text: 'nothing secret' } });
  expect(clean.content).toEqual([{ type: 'text', text: 'alpha: nothing secret' }]);
});

it('lets the JavaScript plugin filter tools/list', async () => {
  const names = (await client.listTools()).tools.map((t) => t.name);
  expect(names).toContain('alpha__echo');
  expect(names).not.toContain('alpha__fail');
});
