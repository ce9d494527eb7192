/**
 * The example third-party auth provider (config/examples/plugins/api-key-auth.ts), copied outside
 * the repository and loaded with --plugins, working with the built-in permissions plugin: the auth
 * contract (a request becomes a principal with scopes, or a 401) is enough for a stranger to write.
 * It is not an OAuth resource server: its refusals say `ApiKey`, never `Bearer resource_metadata`,
 * so that a client (the MCP Inspector) reports a missing key rather than look for OAuth.
 */
import { createHash } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, postOnSession, textOf } from '../helpers/client.ts';
import { runInspector } from '../helpers/inspector.ts';
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
    return {
      names: (await client.listTools()).tools.map((t) => t.name),
      echo: textOf(await client.callTool({ name: 'tools__echo', arguments: { text: 'k' } })),
    };
  } finally {
    await client.close();
  }
};

it('loads after the configured plugins and reads its own config section', async () => {
  const boot = await gateway.waitForLog((l) => l.msg === 'starting mcp-gateway');
  expect((boot.plugins as string[]).map((p) => p.split('@')[0])).toEqual([
    'health',
    'permissions',
    'stdio',
    'api-key-auth',
  ]);
  expect(gateway.logs.some((l) => l.plugin === 'api-key-auth' && l.msg === 'API keys loaded' && l.keys === 2)).toBe(
    true,
  );
});

const initialize = (headers: Record<string, string>) =>
  fetch(gateway.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    }),
  });

it('refuses a request without a key with 401 and its own ApiKey challenge, and serves no OAuth metadata', async () => {
  const response = await initialize({});
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('ApiKey realm="mcp-gateway", header="x-api-key"');
  expect(await response.json()).toEqual({
    error: 'unauthorized',
    error_description: 'this endpoint needs an API key (x-api-key: <key>)',
  });
  // Not an OAuth resource server: nothing for a client to discover an authorization server from.
  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    expect((await fetch(`${gateway.baseUrl}${path}`)).status).toBe(404);
  }
});

it('refuses a wrong key with 401 and its own reason, invalid_credential (the key never logged)', async () => {
  const wrongKeys: Record<string, string>[] = [{ 'x-api-key': 'wrong-key-1' }, { authorization: 'Bearer wrong-key-2' }];
  for (const headers of wrongKeys) {
    const response = await initialize(headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('ApiKey realm="mcp-gateway", header="x-api-key"');
    expect(await response.json()).toEqual({
      error: 'invalid_credential',
      error_description: 'this API key is not valid',
    });
  }
  const refused = await gateway.waitForLog(
    (l) => l.msg === 'authentication refused' && l.reason === 'invalid_credential',
  );
  expect(refused.detail).toBe('this API key is not valid');
  expect(JSON.stringify(gateway.logs)).not.toMatch(/wrong-key-[12]/);
});

it('makes the current MCP Inspector report the missing key, and list tools with one', {
  timeout: 360_000,
}, async () => {
  const discovery = () => gateway.logs.filter((l) => typeof l.path === 'string' && l.path.startsWith('/.well-known/'));
  const discoveredBefore = discovery().length;
  // --stored-auth-only: the Inspector's mode for runs without a human, which never opens a browser.
  const missing = await runInspector([gateway.mcpUrl, '--method', 'tools/list', '--stored-auth-only']);
  expect(missing.code, missing.stderr).toBe(3);
  // Its error envelope is the last line on stderr, after npm's and its own notices.
  const envelope = missing.stderr.trim().split('\n').at(-1)!;
  const { error } = JSON.parse(envelope) as { error: { code: string; message: string } };
  expect(error.code).toBe('auth_required');
  expect(error.message).toContain('this endpoint needs an API key (x-api-key: <key>)');
  expect(discovery().length).toBe(discoveredBefore);
  const listed = await runInspector([
    gateway.mcpUrl,
    '--method',
    'tools/list',
    '--header',
    `x-api-key: ${keys.intern}`,
  ]);
  expect(listed.code, listed.stderr).toBe(0);
  expect((JSON.parse(listed.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual([
    'tools__echo',
  ]);
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

it('refuses a tool the key lacks the scope for with a plain 403, no OAuth step-up challenge', async () => {
  const opened = await initialize({ 'x-api-key': keys.intern });
  const session = opened.headers.get('mcp-session-id')!;
  await opened.body?.cancel();
  const response = await postOnSession(
    gateway.mcpUrl,
    session,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'tools__add', arguments: {} } },
    { headers: { 'x-api-key': keys.intern } },
  );
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toBeNull();
  expect(((await response.json()) as { error: { data: unknown } }).error.data).toEqual({
    requiredScopes: ['scope:dev'],
  });
});
