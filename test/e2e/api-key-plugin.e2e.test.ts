/**
 * The example third-party auth provider (config/examples/plugins/api-key-auth.ts), copied outside
 * the repository and loaded with --plugins, working with the built-in permissions plugin: the auth
 * contract (a request becomes a principal with scopes, or a 401) is enough for a stranger to write.
 */
import { createHash } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { repoRoot, startGateway, tempDir, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const keys = { ci: 'ci-key-0123456789', intern: 'intern-key-9876543210' };
let gateway: RunningGateway;

beforeAll(async () => {
  const outside = tempDir('mcpgw-api-key-');
  copyFileSync(join(repoRoot, 'config/examples/plugins/api-key-auth.ts'), join(outside, 'api-key-auth.ts'));
  gateway = await startGateway({
    cwd: outside,
    args: ['--plugins', './api-key-auth.ts'],
    config: {
      api_keys: {
        keys: [
          { subject: 'ci-bot', sha256: sha256(keys.ci), scopes: ['scope:dev'] },
          { subject: 'intern', sha256: sha256(keys.intern), scopes: [] },
        ],
      },
      plugins: ['health', 'permissions', 'stdio'],
      auth: { permissions: { 'tools:*': ['scope:dev'], 'tools:echo': [] } },
      proxy: { servers: [stdioFixture('tools')] },
    },
  });
});
afterAll(() => gateway?.stop());

const listWith = async (headers: Record<string, string>) => {
  const client = await connectClient(gateway.mcpUrl, { headers });
  try {
    return { names: (await client.listTools()).tools.map((t) => t.name), echo: textOf(await client.callTool({ name: 'tools__echo', arguments: { text: 'k' } })) };
  } finally {
    await client.close();
  }
};

it('loads after the configured plugins and reads its own config section', async () => {
  const boot = await gateway.waitForLog((l) => l.msg === 'starting mcp-gateway');
  expect((boot.plugins as string[]).map((p) => p.split('@')[0])).toEqual(['health', 'permissions', 'stdio', 'api-key-auth']);
  expect(gateway.logs.some((l) => l.plugin === 'api-key-auth' && l.msg === 'API keys loaded' && l.keys === 2)).toBe(true);
});

it('refuses requests without a key, or with a wrong one, with 401', async () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  for (const extra of [{}, { 'x-api-key': 'wrong' }, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
    const response = await fetch(gateway.mcpUrl, { method: 'POST', headers: { ...headers, ...extra }, body });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
  }
});

it('turns a key into a principal whose scopes the permissions plugin applies', async () => {
  const ci = await listWith({ authorization: `Bearer ${keys.ci}` });
  expect(ci.names.length).toBeGreaterThan(5);
  expect(ci.echo).toBe('tools: k');
  const intern = await listWith({ 'x-api-key': keys.intern });
  expect(intern.names).toEqual(['tools__echo']);
  expect(intern.echo).toBe('tools: k');
  const logged = JSON.stringify(gateway.logs);
  expect(logged).not.toContain(keys.ci);
  expect(logged).not.toContain(keys.intern);
});
