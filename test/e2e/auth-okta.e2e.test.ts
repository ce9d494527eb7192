/**
 * The original gateway's configuration, unchanged, running with Okta-shaped tokens from a real
 * authorization server (`scp`, `groups`, `cid`, `uid`): auth-okta authenticates, permissions maps
 * groups to scopes and filters tools. And the Okta group lookup, for tokens without `groups`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';
import {
  repoRoot,
  runCli,
  startFixtureHttp,
  startGateway,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { startOktaApi, type OktaApi } from '../fixtures/okta-api.ts';

const originalYaml = readFileSync(join(repoRoot, 'test/fixtures/original-product.yaml'), 'utf8');
const AUDIENCE = 'http://localhost:8082'; // the config's server.url: the gateway's resource id

let idp: Idp;
let n8n: FixtureHttp;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  idp = await startIdp();
  n8n = await startFixtureHttp('n8n');
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await n8n?.stop();
  await idp?.stop();
});

/** An access token shaped like Okta's default authorization server's. */
const oktaToken = (user: string, claims: Record<string, unknown> = {}) =>
  idp.token({
    ver: 1,
    aud: AUDIENCE,
    cid: '0oa1clientid',
    uid: `00u-${user}`,
    sub: `${user}@example.com`,
    scp: ['openid', 'profile'],
    ...claims,
  });

const env = () => ({ OKTA_ISSUER: idp.issuer, N8N_URL: n8n.url, N8N_PROXY_KEY: 'n8n-secret-key' });

async function originalGateway(extraEnv: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startGateway({ config: originalYaml, env: { ...env(), ...extraEnv } });
  cleanup.push(() => gateway.stop());
  return gateway;
}

async function toolsOf(gateway: RunningGateway, token: string) {
  const client = await connectClient(gateway.mcpUrl, { headers: { authorization: `Bearer ${token}` } });
  cleanup.push(() => client.close());
  return { client, names: (await client.listTools()).tools.map((t) => t.name) };
}

describe('the original configuration, unchanged', () => {
  it('validates', async () => {
    const dir = join(repoRoot, 'test/fixtures');
    const result = await runCli(['validate', '--config', join(dir, 'original-product.yaml')], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/auth-okta .*\n.*permissions .*\n.*streamable-http/);
  });

  it("lets a developer (groups: Developers) see and call n8n's tools, with the gateway's own credentials upstream", async () => {
    const gateway = await originalGateway();
    const { client, names } = await toolsOf(gateway, await oktaToken('dana', { groups: ['Everyone', 'Developers'] }));
    expect(names.length).toBeGreaterThan(5);
    expect(names.every((name) => name.startsWith('n8n__'))).toBe(true);
    const headers = JSON.parse(textOf(await client.callTool({ name: 'n8n__headers', arguments: {} }))) as Record<
      string,
      string
    >;
    expect(headers['x-n8n-key']).toBe('n8n-secret-key');
    expect(headers.authorization).toBeUndefined();
  });

  it('shows nothing to a user outside Developers, and refuses a guessed call with 403 insufficient_scope', async () => {
    const gateway = await originalGateway();
    const token = await oktaToken('ursula', { groups: ['Everyone'] });
    const { names } = await toolsOf(gateway, token);
    expect(names).toEqual([]);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    };
    const init = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'guess', version: '1' } },
      }),
    });
    const session = {
      ...headers,
      'mcp-session-id': init.headers.get('mcp-session-id')!,
      'mcp-protocol-version': '2025-11-25',
    };
    const denied = await fetch(gateway.mcpUrl, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'n8n__echo', arguments: { text: 'x' } },
      }),
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="scope:dev", resource_metadata="http://localhost:8082/.well-known/oauth-protected-resource/mcp"',
    );
    expect(await denied.json()).toMatchObject({ id: 9, error: { message: expect.stringContaining('n8n__echo') } });
  });

  it("takes the scopes of Okta's scp claim", async () => {
    const gateway = await originalGateway();
    const { names } = await toolsOf(gateway, await oktaToken('sam', { scp: ['openid', 'scope:dev'] }));
    expect(names).toContain('n8n__echo');
  });
});

describe('the Okta group lookup (OKTA_ORG_URL, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY, OKTA_PRIVATE_KEY_ID)', () => {
  let okta: OktaApi;
  let lookupEnv: Record<string, string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    okta = await startOktaApi({
      clientId: '0oa-service-app',
      publicKey: await exportJWK(publicKey),
      groups: { '00u-gina': ['Developers'] },
    });
    lookupEnv = {
      OKTA_ORG_URL: okta.url,
      OKTA_CLIENT_ID: '0oa-service-app',
      OKTA_PRIVATE_KEY: await exportPKCS8(privateKey),
      OKTA_PRIVATE_KEY_ID: 'service-key-1',
    };
  });
  afterAll(() => okta?.stop());

  it("gives a token without a groups claim the user's groups from the Okta API, cached", async () => {
    const gateway = await originalGateway(lookupEnv);
    const token = await oktaToken('gina'); // no groups claim
    expect((await toolsOf(gateway, token)).names).toContain('n8n__echo');
    expect((await toolsOf(gateway, token)).names).toContain('n8n__echo');
    expect(okta.tokenRequests).toBe(1);
    expect(okta.groupRequests).toBe(1);
    expect(JSON.stringify(gateway.logs)).not.toContain('PRIVATE KEY');
  });

  it("refuses a partial set of the lookup's variables instead of ignoring them", async () => {
    const result = await runCli(['validate', '--config', join(repoRoot, 'test/fixtures/original-product.yaml')], {
      env: { ...env(), OKTA_ORG_URL: 'https://acme.okta.com' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /GW_ERR_PLUGIN_OPTIONS \(plugin auth-okta\): .*the Okta group lookup needs all of OKTA_ORG_URL, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY, OKTA_PRIVATE_KEY_ID; missing OKTA_CLIENT_ID, OKTA_PRIVATE_KEY, OKTA_PRIVATE_KEY_ID/,
    );
  });
});
