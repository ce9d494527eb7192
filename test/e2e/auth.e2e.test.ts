/**
 * Authentication against a real authorization server (oauth2-mock-server issues real signed JWTs):
 * the gateway as an OAuth 2.1 resource server, with the oidc plugin, and an attack suite where
 * each way of presenting a bad token is refused without a crash.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { startIdp, type Idp } from '../helpers/idp.ts';
import { startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';

const PUBLIC_URL = 'http://mcp-gateway.test';
const AUDIENCE = `${PUBLIC_URL}/mcp`;
const METADATA = `${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp`;

let idp: Idp;
let gateway: RunningGateway;

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'attack', version: '1' } },
};
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POST an initialize with this token (or none) and return the response. */
function post(token?: string, body: unknown = initialize, extra: Record<string, string> = {}) {
  return fetch(gateway.mcpUrl, {
    method: 'POST',
    headers: { ...mcpHeaders, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...extra },
    body: JSON.stringify(body),
  });
}

const good = (claims: Record<string, unknown> = {}, options?: { expiresIn?: number; kid?: string }) =>
  idp.token({ aud: AUDIENCE, sub: 'alice', scope: 'mcp:tools', ...claims }, options);

async function expectRefused(response: Response, reason: RegExp) {
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toContain(`resource_metadata="${METADATA}"`);
  expect(challenge).toContain('error="invalid_token"');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_token');
  expect(body.error_description).toMatch(reason);
}

beforeAll(async () => {
  idp = await startIdp();
  gateway = await startGateway({
    config: {
      server: { url: PUBLIC_URL },
      oidc: { issuer: idp.issuer, key_refresh_cooldown: '1s', scopes_supported: ['mcp:tools'] },
      proxy: { servers: [stdioFixture('files')] },
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await idp?.stop();
});

describe('discovery', () => {
  it('publishes RFC 9728 metadata for the gateway and for its /mcp endpoint, without authentication', async () => {
    const root = await (await fetch(`${gateway.baseUrl}/.well-known/oauth-protected-resource`)).json();
    const mcp = await (await fetch(`${gateway.baseUrl}/.well-known/oauth-protected-resource/mcp`)).json();
    const common = {
      authorization_servers: [idp.issuer],
      scopes_supported: ['mcp:tools'],
      bearer_methods_supported: ['header'],
    };
    expect(root).toEqual({ resource: PUBLIC_URL, ...common });
    expect(mcp).toEqual({ resource: AUDIENCE, ...common });
  });

  it("answers a request without a token with 401 pointing at the gateway's own metadata", async () => {
    const response = await post();
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA}"`);
  });

  it('authenticates every verb of /mcp', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(gateway.mcpUrl, {
        method,
        headers: { accept: 'text/event-stream', 'mcp-session-id': 'x' },
      });
      expect(response.status).toBe(401);
    }
    expect((await fetch(`${gateway.baseUrl}/live`)).status).toBe(200);
  });
});

describe('a valid token', () => {
  let client: Client;
  afterAll(() => client?.close());

  it('lets the SDK client list and call through the gateway', async () => {
    client = await connectClient(gateway.mcpUrl, { headers: { authorization: `Bearer ${await good()}` } });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('files__echo');
    expect(textOf(await client.callTool({ name: 'files__echo', arguments: { text: 'authenticated' } }))).toBe(
      'files: authenticated',
    );
  });

  it('is checked on every request: an expired token is refused on a session it opened', async () => {
    const opened = await post(await good());
    const session = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
    expect((await post(await good(), ping, session)).status).toBe(200);
    // Past the 30 s clock tolerance.
    const expired = await good({ exp: Math.floor(Date.now() / 1000) - 120 });
    await expectRefused(await post(expired, ping, session), /expired/);
  });
});

describe('attacks, each refused', () => {
  it('a token that is not a JWT', async () => {
    await expectRefused(await post('not.a.jwt'), /not a valid JWT|could not be read/);
  });

  it('alg: none', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: idp.issuer, aud: AUDIENCE, sub: 'mallory', exp: now + 600 })}.`;
    await expectRefused(await post(unsigned), /algorithm|not a valid JWT/);
  });

  it("HS256 signed with the issuer's public key as the HMAC secret", async () => {
    const jwk = idp.server.issuer.keys.toJSON()[0]!;
    const pem = await exportSPKI((await importJWK(jwk, 'RS256')) as CryptoKey);
    const forged = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(pem));
    await expectRefused(await post(forged), /algorithm/);
  });

  it('an expired token', async () => {
    await expectRefused(await post(await good({ exp: Math.floor(Date.now() / 1000) - 600 })), /expired/);
  });

  it('a token not valid yet', async () => {
    await expectRefused(await post(await good({ nbf: Math.floor(Date.now() / 1000) + 600 })), /not valid yet/);
  });

  it('a token from another issuer', async () => {
    await expectRefused(await post(await good({ iss: 'https://evil.example' })), /another issuer/);
  });

  it('a token issued for another service (audience)', async () => {
    await expectRefused(
      await post(await good({ aud: 'https://other-service.example' })),
      /not issued for this gateway/,
    );
  });

  it('a token signed with a key the issuer does not publish', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published' })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
    await expectRefused(await post(foreign), /does not publish/);
  });

  it('a tampered payload', async () => {
    const [header, payload, signature] = (await good()).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    await expectRefused(await post(`${header}.${tampered}.${signature}`), /signature/);
  });

  it('another principal presenting a session id it did not open', async () => {
    const opened = await post(await good({ sub: 'alice' }));
    const sessionId = opened.headers.get('mcp-session-id')!;
    const ping = { jsonrpc: '2.0', id: 2, method: 'ping' };
    const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    expect((await post(await good({ sub: 'alice' }), ping, session)).status).toBe(200);
    const hijack = await post(await good({ sub: 'bob' }), ping, session);
    expect(hijack.status).toBe(404);
  });
});

describe("the issuer's keys", () => {
  it('picks up a rotated key without a restart', async () => {
    expect((await post(await good())).status).toBe(200); // the current keys are cached now
    const rotated = await idp.server.issuer.keys.generate('RS256', { kid: 'rotated-key' });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the refetch cooldown (1s here, 30s by default)
    expect((await post(await good({}, { kid: rotated.kid }))).status).toBe(200);
  });

  it('unreachable: 503 with a clear body and no crash; back to normal when they are reachable again', async () => {
    const other = await startIdp();
    const port = Number(new URL(other.issuer).port);
    const lonely = await startGateway({
      config: { server: { url: PUBLIC_URL }, oidc: { issuer: other.issuer }, proxy: { servers: [] } },
    });
    const token = await other.token({ aud: AUDIENCE, sub: 'alice' }); // minted while the issuer runs
    const send = () =>
      fetch(lonely.mcpUrl, {
        method: 'POST',
        headers: { ...mcpHeaders, authorization: `Bearer ${token}` },
        body: JSON.stringify(initialize),
      });
    try {
      await other.server.stop();
      const response = await send();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({
        error: 'temporarily_unavailable',
        error_description: expect.stringContaining("the issuer's keys cannot be fetched"),
      });
      expect((await fetch(`${lonely.baseUrl}/live`)).status).toBe(200);
      await other.server.start(port, '127.0.0.1');
      expect((await send()).status).toBe(200);
    } finally {
      await lonely.stop();
      await other.stop().catch(() => {}); // stopped above if the test failed midway
    }
  });
});
