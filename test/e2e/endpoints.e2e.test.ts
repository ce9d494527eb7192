/**
 * Two virtual endpoints with different permission policies on one gateway process: the CLI in
 * front of real stdio upstreams, tokens from a real authorization server, the SDK's client. One
 * principal uses a tool on `/mcp/dev` that `/mcp/support` neither lists nor lets it call (403),
 * both endpoints reaching the very same upstream process and session; each endpoint is its own
 * OAuth protected resource.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, postOnSession, textOf } from '../helpers/client.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';
import { isReadyLine, startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const PUBLIC_URL = 'http://mcp-gateway.test';
const metadataOf = (path: string) => `${PUBLIC_URL}/.well-known/oauth-protected-resource${path}`;

let idp: Idp;
let gateway: RunningGateway;
const clients: Client[] = [];

beforeAll(async () => {
  idp = await startIdp();
  gateway = await startGateway({
    config: {
      server: { url: PUBLIC_URL },
      oidc: { issuer: idp.issuer },
      proxy: { servers: [stdioFixture('files'), stdioFixture('tickets')] },
      endpoints: {
        dev: { path: '/mcp/dev' },
        support: { path: '/mcp/support', tools: ['tickets__*', 'files__echo'] },
      },
      auth: {
        claims: ['groups'],
        mappings: { 'groups:eng': ['scope:eng'] },
        // Engineers use every tool of both servers...
        permissions: { 'files:*': ['scope:eng'], 'tickets:*': ['scope:eng'] },
        // ...but on the support endpoint, files' echo is for the support team only.
        endpoints: {
          support: { permissions: { 'tickets:*': ['scope:eng'], 'files:echo': ['scope:support'] } },
        },
      },
    },
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.stop();
  await idp?.stop();
});

/** An engineer's token, for the resource `audience`. */
const engineer = (audience: string) => idp.token({ aud: audience, sub: 'dana', groups: ['eng'] });

async function connect(path: string): Promise<Client> {
  const token = await engineer(`${PUBLIC_URL}${path}`);
  const client = await connectClient(`${gateway.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  clients.push(client);
  return client;
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

describe('one principal, two endpoints, two policies', () => {
  it('lists and calls files__echo on /mcp/dev', async () => {
    const dev = await connect('/mcp/dev');
    expect(await toolNames(dev)).toContain('files__echo');
    expect(textOf(await dev.callTool({ name: 'files__echo', arguments: { text: 'hi' } }))).toBe('files: hi');
  });

  it('neither lists nor lets it call files__echo on /mcp/support (403, pointing at that endpoint)', async () => {
    const support = await connect('/mcp/support');
    const names = await toolNames(support);
    expect(names).toContain('tickets__echo');
    expect(names.every((name) => name.startsWith('tickets__'))).toBe(true);
    await expect(support.callTool({ name: 'files__echo', arguments: { text: 'hi' } })).rejects.toThrow(
      /Forbidden: tool \\"files__echo\\" requires the scope scope:support/,
    );

    // The same refusal, on the wire: before the message reaches its session.
    const token = await engineer(`${PUBLIC_URL}/mcp/support`);
    const opened = await fetch(`${gateway.baseUrl}/mcp/support`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    const session = opened.headers.get('mcp-session-id')!;
    const refused = await postOnSession(
      `${gateway.baseUrl}/mcp/support`,
      session,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'files__echo', arguments: { text: 'hi' } } },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain(`resource_metadata="${metadataOf('/mcp/support')}"`);
    expect(await refused.json()).toMatchObject({ error: { data: { requiredScopes: ['scope:support'] } } });
  });

  it('reaches one upstream process and session from both endpoints', async () => {
    const stats = async (client: Client) =>
      JSON.parse(textOf(await client.callTool({ name: 'tickets__stats', arguments: {} }))) as {
        pid: number;
        sessions: number;
      };
    const [dev, support] = [await stats(await connect('/mcp/dev')), await stats(await connect('/mcp/support'))];
    expect(dev.pid).toBe(support.pid);
    expect(support.sessions).toBe(1);
  });
});

it('names the virtual endpoints in its ready line', async () => {
  const ready = await gateway.waitForLog(isReadyLine);
  expect(ready.endpoints).toEqual(['dev:/mcp/dev', 'support:/mcp/support']);
});

describe('each endpoint is an OAuth protected resource', () => {
  it('has its own metadata document, and a 401 there points at it', async () => {
    const document = await (await fetch(`${gateway.baseUrl}/.well-known/oauth-protected-resource/mcp/dev`)).json();
    expect(document).toMatchObject({ resource: `${PUBLIC_URL}/mcp/dev`, authorization_servers: [idp.issuer] });
    const anonymous = await fetch(`${gateway.baseUrl}/mcp/dev`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataOf('/mcp/dev')}"`);
  });
});
