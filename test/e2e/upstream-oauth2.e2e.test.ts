/**
 * OAuth 2 client credentials toward an HTTP upstream (`auth: { type: oauth2 }`), against a real
 * authorization server (oauth2-mock-server, issuing signed JWTs) and a real gateway process: the
 * upstream gets the gateway's own Bearer token, never the client's; the token is fetched once,
 * shared and reused, replaced when it expires; a failing token endpoint fails calls with a clear
 * error and recovers; the client secret and tokens never reach the logs.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { OAuth2Server, type MutableResponse, type MutableToken } from 'oauth2-mock-server';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connectClient, textOf } from '../helpers/client.ts';
import {
  runCli,
  startFixtureHttp,
  startGateway,
  tempDir,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';

const CLIENT_ID = 'gateway-n8n';
const CLIENT_SECRET = 'sEcReT-5f1c9a7e-do-not-log';
const SCOPE = 'mcp.read mcp.write';
const AUDIENCE = 'https://n8n.example.com';
const RESOURCE = 'https://n8n.example.com/mcp';

type TokenRequest = IncomingMessage & { body: Record<string, unknown> };

/** The client credentials a token request presented: HTTP Basic (client_secret_basic) or the form (client_secret_post). */
function presented(req: TokenRequest): { id?: string; secret?: string; method: 'basic' | 'post' | 'none' } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent);
    return { id, secret, method: 'basic' };
  }
  if (typeof req.body.client_id === 'string')
    return { id: req.body.client_id, secret: req.body.client_secret as string, method: 'post' };
  return { method: 'none' };
}

let idp: OAuth2Server;
let tokenUrl: string;
/** Every token request the authorization server received, in order. */
let tokenRequests: { body: Record<string, unknown>; method: string }[];
/** While set, the token endpoint answers this error instead of a token. */
let outage: { status: number; body: Record<string, unknown> } | undefined;
/** The lifetime of the tokens issued from now on (seconds). */
let lifetime: number;

const cleanup: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  tokenRequests = [];
  outage = undefined;
  lifetime = 3600;
  idp = new OAuth2Server();
  await idp.issuer.keys.generate('RS256');
  await idp.start(0, '127.0.0.1');
  tokenUrl = `http://127.0.0.1:${idp.address().port}/token`;
  // The mock issues a token to anyone: check the client's credentials as a real server would, put
  // the client id and audience in the token, and let a test shorten the lifetime or fail the endpoint.
  idp.service.on('beforeTokenSigning', (token: MutableToken, req: TokenRequest) => {
    const client = presented(req);
    tokenRequests.push({ body: { ...req.body }, method: client.method });
    token.payload.client_id = client.id;
    if (typeof req.body.audience === 'string') token.payload.aud = req.body.audience;
    token.payload.exp = Math.floor(Date.now() / 1000) + lifetime;
  });
  idp.service.on('beforeResponse', (response: MutableResponse, req: TokenRequest) => {
    const client = presented(req);
    if (outage) {
      response.statusCode = outage.status;
      response.body = outage.body;
    } else if (client.id !== CLIENT_ID || client.secret !== CLIENT_SECRET) {
      response.statusCode = 401;
      response.body = { error: 'invalid_client', error_description: 'Client authentication failed' };
    } else if (typeof response.body === 'object') {
      response.body.expires_in = lifetime;
    }
  });
  cleanup.push(() => idp.stop());
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});

async function fixture(): Promise<FixtureHttp> {
  const started = await startFixtureHttp('n8n');
  cleanup.push(() => started.stop());
  return started;
}

function oauth2(overrides: Record<string, unknown> = {}) {
  return {
    type: 'oauth2',
    token_url: tokenUrl,
    client_id: '${UPSTREAM_CLIENT_ID}',
    client_secret: '${UPSTREAM_CLIENT_SECRET}',
    scope: SCOPE,
    audience: AUDIENCE,
    resource: RESOURCE,
    ...overrides,
  };
}

async function gateway(
  upstream: FixtureHttp,
  auth: object,
  extra: Record<string, unknown> = {},
  secret = CLIENT_SECRET,
): Promise<RunningGateway> {
  const started = await startGateway({
    config: {
      proxy: {
        reconnect: { initial: '200ms', max: '500ms' },
        servers: [{ name: 'n8n', type: 'streamable-http', connection: { url: upstream.url }, auth, ...extra }],
      },
    },
    env: { UPSTREAM_CLIENT_ID: CLIENT_ID, UPSTREAM_CLIENT_SECRET: secret },
  });
  cleanup.push(() => started.stop());
  return started;
}

async function client(gw: RunningGateway, headers: Record<string, string> = {}): Promise<Client> {
  const connected = await connectClient(gw.mcpUrl, { headers });
  cleanup.push(() => connected.close());
  return connected;
}

/** The Authorization header the upstream received for one call of its `headers` tool. */
async function upstreamAuthorization(c: Client): Promise<string | undefined> {
  const seen = JSON.parse(textOf(await c.callTool({ name: 'n8n__headers', arguments: {} }))) as Record<string, string>;
  return seen.authorization;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('upstream OAuth 2 client credentials', () => {
  it("sends the upstream a Bearer JWT from the token endpoint, fetched once and reused, never the client's token", async () => {
    const upstream = await fixture();
    const gw = await gateway(upstream, oauth2());
    const alice = await client(gw, { authorization: 'Bearer alice-own-token' });
    const bob = await client(gw, { authorization: 'Bearer bob-own-token' });

    const seen = [
      await upstreamAuthorization(alice),
      await upstreamAuthorization(alice),
      await upstreamAuthorization(bob),
      await upstreamAuthorization(alice),
    ];
    expect(seen[0]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(new Set(seen).size).toBe(1); // one token for the control session and both clients' sessions

    const jwt = seen[0]!.slice('Bearer '.length);
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${idp.address().port}/jwks`));
    const { payload } = await jwtVerify(jwt, jwks, { issuer: idp.issuer.url!, audience: AUDIENCE });
    expect(payload.client_id).toBe(CLIENT_ID);
    expect(payload.scope).toBe(SCOPE);

    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toEqual({
      method: 'basic',
      body: { grant_type: 'client_credentials', scope: SCOPE, audience: AUDIENCE, resource: RESOURCE },
    });

    const logged = JSON.stringify(gw.logs);
    expect(logged).not.toContain(CLIENT_SECRET);
    expect(logged).not.toContain(jwt);
    expect(logged).not.toContain('alice-own-token');
  });

  it('gets a new token when the cached one is about to expire, and reuses that one in turn', async () => {
    lifetime = 3; // replaced after 2.7 s (a tenth of the lifetime before it expires)
    const upstream = await fixture();
    const gw = await gateway(upstream, oauth2({ client_auth: 'post' }), { heartbeat: { enabled: false } });
    const alice = await client(gw);
    const first = await upstreamAuthorization(alice);
    const requestsBefore = tokenRequests.length;
    await sleep(3200);
    const second = await upstreamAuthorization(alice);
    expect(second).not.toBe(first);
    expect(tokenRequests).toHaveLength(requestsBefore + 1);
    expect(decodeJwt(second!.slice(7)).exp!).toBeGreaterThan(decodeJwt(first!.slice(7)).exp!);
    expect(await upstreamAuthorization(alice)).toBe(second);
    expect(tokenRequests).toHaveLength(requestsBefore + 1);
    expect(tokenRequests.every((r) => r.method === 'post' && r.body.client_id === CLIENT_ID)).toBe(true);
    expect(JSON.stringify(gw.logs)).not.toContain(CLIENT_SECRET);
  });

  it("fails calls with the token endpoint's answer while it fails, stays up, and works again once it recovers", async () => {
    lifetime = 2;
    const upstream = await fixture();
    const gw = await gateway(upstream, oauth2(), { heartbeat: { enabled: false } });
    const alice = await client(gw);
    expect(await upstreamAuthorization(alice)).toMatch(/^Bearer /);

    outage = {
      status: 503,
      body: { error: 'temporarily_unavailable', error_description: 'the IdP is down for maintenance' },
    };
    await sleep(2200); // the cached token is past its time
    const failed = alice.callTool({ name: 'n8n__headers', arguments: {} });
    await expect(failed).rejects.toThrow(
      /upstream server "n8n" could not get an access token: the token endpoint http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 503: temporarily_unavailable \(the IdP is down for maintenance\)/,
    );
    // Not cached: the next call asks again, and fails again.
    const requestsDuringOutage = tokenRequests.length;
    await expect(alice.callTool({ name: 'n8n__headers', arguments: {} })).rejects.toThrow(/temporarily_unavailable/);
    expect(tokenRequests.length).toBe(requestsDuringOutage + 1);
    expect((await fetch(`${gw.baseUrl}/live`)).status).toBe(200);
    expect(gw.child.exitCode).toBeNull();

    outage = undefined;
    expect(await upstreamAuthorization(alice)).toMatch(/^Bearer /);
    expect(JSON.stringify(gw.logs)).not.toContain(CLIENT_SECRET);
  });

  it('keeps a server whose client secret is refused down and keeps trying, saying why in the log without the secret', async () => {
    const upstream = await fixture();
    const wrong = 'wrong-secret-8d2e41';
    const gw = await startGateway({
      config: {
        proxy: {
          reconnect: { initial: '200ms', max: '500ms' },
          servers: [
            {
              name: 'n8n',
              type: 'streamable-http',
              connection: { url: upstream.url },
              auth: oauth2({ client_auth: 'post' }),
            },
          ],
        },
      },
      env: { UPSTREAM_CLIENT_ID: CLIENT_ID, UPSTREAM_CLIENT_SECRET: wrong },
    });
    cleanup.push(() => gw.stop());
    const line = await gw.waitForLog((l) => l.msg === 'upstream unavailable');
    expect(String(line.error)).toMatch(
      /could not get an access token: the token endpoint .* answered HTTP 401: invalid_client \(Client authentication failed\)/,
    );
    const alice = await client(gw);
    await expect(alice.callTool({ name: 'n8n__headers', arguments: {} })).rejects.toThrow(/n8n/);
    // It keeps trying (a failed fetch is not cached), with the reconnection backoff.
    await gw.waitForLog((l) => l.msg === 'upstream unavailable' && Number(l.failures) >= 2);
    const logged = JSON.stringify(gw.logs);
    expect(logged).not.toContain(wrong);
    expect(logged).not.toContain(CLIENT_SECRET);
  });

  it('refuses an oauth2 block with a token_url that is not http(s) or an unknown key', async () => {
    const dir = tempDir();
    for (const [auth, message] of [
      [
        oauth2({ token_url: 'ftp://idp.example.com/token' }),
        /token_url.*expected the http\(s\) URL of the token endpoint/,
      ],
      [oauth2({ grant: 'password' }), /grant/],
    ] as const) {
      const file = join(dir, 'bad.yaml');
      writeFileSync(
        file,
        stringify({
          proxy: {
            servers: [{ name: 'n8n', type: 'streamable-http', connection: { url: 'http://127.0.0.1:1/mcp' }, auth }],
          },
        }),
      );
      const result = await runCli(['validate', '--config', file], {
        env: { UPSTREAM_CLIENT_ID: CLIENT_ID, UPSTREAM_CLIENT_SECRET: CLIENT_SECRET },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr + result.stdout).not.toContain(CLIENT_SECRET);
    }
  });
});
