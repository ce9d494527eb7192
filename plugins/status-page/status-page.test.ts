/**
 * The status page in-process: who gets in (each access mode, denied by default), what its JSON
 * says of upstreams, calls, catalogue, plan and sessions, who-sees-what against what real clients
 * list, and that no secret reaches any response.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import claimsPrincipal, { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';
import statusPage from './index.ts';
import type { UpstreamRow } from './snapshot.ts';
import type { WhoSeesWhat } from './who-sees-what.ts';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function server(name: string) {
  return () => {
    const mcp = new McpServer({ name, version: '1.2.3' });
    mcp.registerTool(
      'echo',
      { description: 'Echoes', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
      async ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
    mcp.registerTool('delete_all', { description: 'Deletes', annotations: { destructiveHint: true } }, async () => ({
      content: [{ type: 'text', text: 'gone' }],
      isError: true,
    }));
    mcp.registerPrompt('greet', { description: 'Greets' }, async () => ({ messages: [] }));
    return mcp;
  };
}

const policy = {
  claims: ['groups'],
  mappings: { 'groups:Developers': ['scope:dev'] },
  permissions: { 'alpha:*': ['scope:dev'], 'alpha:delete_*': ['scope:admin'], '*:echo': [] },
};

const start = async (options: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
  (gateway = await startTestGateway({
    config,
    plugins: [claimsPrincipal, { plugin: statusPage, options }],
    servers: { alpha: server('alpha'), beta: server('beta') },
  }));

const as = (principal: object) => ({ [principalHeader]: JSON.stringify(principal) });
const get = (path: string, init: Parameters<TestGateway['request']>[1] = {}) =>
  gateway!.request(path, { remoteAddress: '127.0.0.1', ...init });

describe('access', () => {
  it('with nothing configured, lets in loopback callers only', async () => {
    await start();
    expect((await get('/status')).status).toBe(200);
    expect((await get('/status/api/overview', { remoteAddress: '::1' })).status).toBe(200);
    expect((await get('/status/api/overview', { remoteAddress: '::ffff:127.0.0.1' })).status).toBe(200);
    expect((await get('/status', { remoteAddress: '10.0.0.5' })).status).toBe(403);
    // A forwarded-for header is the client's say-so: never trusted.
    const forwarded = await get('/status', { remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(forwarded.status).toBe(403);
    expect((await gateway!.request('/status/api/upstreams')).status).toBe(403); // no peer known
    // DNS rebinding: another site's name pointed at 127.0.0.1.
    const rebound = await get('http://evil.example:8082/status/api/overview');
    expect(rebound.status).toBe(403);
    expect((await get('http://127.0.0.1:8082/status/api/overview')).status).toBe(200);
    expect((await get('http://[::1]:8082/status/api/overview')).status).toBe(200);
  });

  it('with a token, wants it as a bearer token or in the cookie a ?token= link sets', async () => {
    const token = 'status-token-0123456789';
    await start({ access: { token } });
    const refused = await get('/status');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="mcp-gateway status"');
    expect(
      (await get('/status/api/overview', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    expect((await get('/status/api/overview', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // From another machine too: the token is the way in.
    expect(
      (await get('/status/api/overview', { remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);

    expect((await get('/status?token=nope')).status).toBe(401);
    const link = await get(`/status?token=${token}`);
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('/status');
    const cookie = link.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^mcp_gateway_status=.+; Path=\/status; HttpOnly; SameSite=Strict$/);
    const page = await get('/status', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('with scopes or groups, lets in principals holding one (mapped scopes count), 401 without, 403 otherwise', async () => {
    await start(
      { access: { scopes: ['scope:ops'], groups: ['Admins'] } },
      { auth: { ...policy, mappings: { ...policy.mappings, 'groups:Ops': ['scope:ops'] } } },
    );
    expect((await get('/status/api/overview')).status).toBe(401);
    expect((await get('/status/api/overview', { headers: as({ sub: 'x', scopes: ['scope:dev'] }) })).status).toBe(403);
    expect((await get('/status/api/overview', { headers: as({ sub: 'x', scopes: ['scope:ops'] }) })).status).toBe(200);
    expect(
      (await get('/status/api/overview', { headers: as({ sub: 'x', claims: { groups: ['Admins'] } }) })).status,
    ).toBe(200);
    expect((await get('/status/api/overview', { headers: as({ sub: 'x', claims: { groups: 'Ops' } }) })).status).toBe(
      200,
    );
  });

  it('takes a new token on reload; a change of access mode waits for a restart', async () => {
    const [first, second] = ['status-token-first-0123', 'status-token-second-012'];
    const config = (access: object) => ({ plugins: [{ use: 'status-page', options: { access } }] });
    gateway = await startTestGateway({ config: config({ token: first }), servers: { alpha: server('alpha') } });
    const withToken = (token: string) => get('/status/api/plan', { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken(first)).status).toBe(200);
    expect((await gateway.reload(config({ token: second }))).reloadedPlugins).toEqual(['status-page']);
    expect((await withToken(first)).status).toBe(401);
    expect((await withToken(second)).status).toBe(200);
    expect((await gateway.reload(config({ scopes: ['ops'] }))).needRestart).toContain(
      'plugin status-page: options (refused)',
    );
    expect((await withToken(second)).status).toBe(200);
  });

  it('refuses a token together with scopes at boot', async () => {
    await expect(start({ access: { token: 'status-token-0123456789', scopes: ['a'] } })).rejects.toThrow(
      /either a token or scopes/,
    );
  });
});

describe('the JSON API', () => {
  it('tells each upstream, its calls, the catalogue, the plan and the sessions', async () => {
    await start({}, { auth: policy });
    const dev = await gateway!.connect({ headers: as({ sub: 'dana', claims: { groups: ['Developers'] } }) });
    await gateway!.connect({ headers: as({ sub: 'sam' }) });
    for (let i = 0; i < 3; i++) await dev.callTool({ name: 'alpha__echo', arguments: { text: 'hi' } });
    await dev.callTool({ name: 'beta__echo', arguments: { text: 'hi' } });
    await expect(dev.callTool({ name: 'alpha__delete_all', arguments: {} })).rejects.toThrow(/Forbidden/);

    const { upstreams } = (await (await get('/status/api/upstreams')).json()) as { upstreams: UpstreamRow[] };
    const alpha = upstreams.find((u) => u.name === 'alpha')!;
    expect(alpha).toMatchObject({
      transport: 'in-process',
      state: 'ready',
      reconnects: 0,
      server: { name: 'alpha', version: '1.2.3' },
      counts: { tools: 2, prompts: 1, resources: 0 },
      calls: { inFlight: 0, calls: 3, errors: 0, windowMs: 60_000 },
    });
    expect(alpha.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(alpha.calls.p50Ms).toBeGreaterThanOrEqual(0);
    // The denied call never reached the upstream: not one of its calls.
    expect(upstreams.find((u) => u.name === 'beta')!.calls).toMatchObject({ calls: 1, errors: 0 });

    const { items } = (await (await get('/status/api/catalogue')).json()) as { items: Record<string, unknown>[] };
    expect(items).toContainEqual({
      kind: 'tool',
      exposed: 'alpha__delete_all',
      server: 'alpha',
      original: 'delete_all',
      description: 'Deletes',
      annotations: { destructiveHint: true },
    });
    expect(items.filter((i) => i.kind === 'prompt').map((i) => i.exposed)).toEqual(['alpha__greet', 'beta__greet']);

    const plan = (await (await get('/status/api/plan')).json()) as { plugins: { name: string }[]; lastReload: unknown };
    expect(plan.plugins.map((p) => p.name)).toEqual(
      expect.arrayContaining(['permissions', 'claims-principal', 'status-page']),
    );
    expect(plan.lastReload).toBeUndefined();

    const sessions = await (await get('/status/api/sessions')).json();
    expect(sessions).toMatchObject({ open: 2, bySubject: { dana: 1, sam: 1 }, store: 'memory', unrecordedEnds: 0 });
    expect(Object.values((sessions as { byProtocolVersion: Record<string, number> }).byProtocolVersion)).toEqual([2]);
  });

  it('answers who sees what with the policy’s own decisions, as real clients list', async () => {
    await start({}, { auth: policy });
    for (const principal of [
      { sub: 'dana', claims: { groups: ['Developers'] } },
      { sub: 'root', scopes: ['scope:admin', 'scope:dev'] },
      { sub: 'sam' },
    ]) {
      const client = await gateway!.connect({ headers: as(principal) });
      const listed = (await client.listTools()).tools.map((t) => t.name).sort();
      const response = await get('/status/api/who-sees-what', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          subject: principal.sub,
          scopes: principal.scopes ?? [],
          claims: principal.claims ?? {},
        }),
      });
      const answer = (await response.json()) as WhoSeesWhat;
      expect(
        answer.allowed
          .filter((a) => a.kind === 'tool')
          .map((a) => a.exposed)
          .sort(),
      ).toEqual(listed);
    }
    const form = await get('/status/fragments/who-sees-what', {
      method: 'POST',
      body: new URLSearchParams({ subject: 'dana', scopes: '', groups: 'Developers', claims: '' }),
    });
    const html = await form.text();
    expect(html).toContain('What dana sees');
    expect(html).toMatch(/<code>alpha__delete_all<\/code><\/th><td>alpha:delete_\*<\/td><td>scope:admin<\/td>/);
    const bad = await get('/status/api/who-sees-what', { method: 'POST', body: JSON.stringify({ claims: '[1]' }) });
    expect(bad.status).toBe(400);
  });

  it('answers who sees what on a virtual endpoint: its part of the catalogue, its policy, as a real client there lists', async () => {
    await start(
      {},
      {
        endpoints: { ops: { path: '/mcp/ops', servers: ['alpha'] } },
        auth: { ...policy, endpoints: { ops: { permissions: { 'alpha:delete_*': ['scope:dev'], 'alpha:*': [] } } } },
      },
    );
    const dana = { sub: 'dana', claims: { groups: ['Developers'] } };
    const ask = async (endpoint: string | undefined) => {
      const response = await get('/status/api/who-sees-what', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject: dana.sub, claims: dana.claims, ...(endpoint && { endpoint }) }),
      });
      return { status: response.status, body: (await response.json()) as WhoSeesWhat & { error?: string } };
    };
    const tools = (answer: WhoSeesWhat) =>
      answer.allowed
        .filter((a) => a.kind === 'tool')
        .map((a) => a.exposed)
        .sort();
    for (const [endpoint, path] of [
      ['ops', '/mcp/ops'],
      [undefined, '/mcp'],
    ] as const) {
      const client = await gateway!.connect({ headers: as(dana), path });
      const listed = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools((await ask(endpoint)).body)).toEqual(listed);
    }
    const ops = (await ask('ops')).body;
    expect(ops.endpoint).toBe('ops');
    expect(tools(ops)).toContain('alpha__delete_all');
    expect(tools(ops).every((name) => name.startsWith('alpha__'))).toBe(true);
    expect(tools((await ask(undefined)).body)).not.toContain('alpha__delete_all');

    const unknown = await ask('opz');
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: 'no endpoint is named "opz" (there are: default, ops)' },
    });
    const page = await (await get('/status')).text();
    expect(page).toContain(
      '<select id="who-endpoint" name="endpoint"><option>default</option><option>ops</option></select>',
    );
    const form = await get('/status/fragments/who-sees-what', {
      method: 'POST',
      body: new URLSearchParams({ endpoint: 'ops', subject: 'dana', groups: 'Developers' }),
    });
    expect(await form.text()).toContain('What dana sees on endpoint ops');
  });

  it('sends the open page the catalogue only when it changed', async () => {
    await start();
    const page = await (await get('/status')).text();
    const generation = /id="catalogue-table" class="scroll" data-generation="(\d+)"/.exec(page)![1];
    const live = async (query: string) => (await get(`/status/fragments/live${query}`)).text();
    const same = await live(`?catalogue=${generation}`);
    expect(same).toContain('id="upstreams"');
    expect(same).not.toContain('id="catalogue-table"');
    expect(await live('?catalogue=0')).toContain(`data-generation="${generation}"`);
    expect(await live('')).toContain('alpha__delete_all');
  });

  it('lists the 25 principals with the most sessions on the page, and the rest as one row', async () => {
    await start();
    for (let i = 0; i < 27; i++) await gateway!.connect({ headers: as({ sub: `user-${i}` }) });
    await gateway!.connect({ headers: as({ sub: 'user-0' }) });
    const html = await (await get('/status/fragments/live')).text();
    expect(html).toContain('<th scope="row">user-0</th><td>2</td>');
    expect(html).toContain('<th scope="row"><i>2 more</i></th><td>2</td>');
    const sessions = (await (await get('/status/api/sessions')).json()) as { bySubject: object };
    expect(Object.keys(sessions.bySubject)).toHaveLength(27);
  });

  it('records what the last reload could not apply', async () => {
    await start({}, { auth: policy });
    await gateway!.reload({ auth: policy, sessions: { max: 7 } });
    const plan = (await (await get('/status/api/plan')).json()) as { lastReload: Record<string, unknown> };
    expect(plan.lastReload).toMatchObject({
      applied: true,
      notApplied: expect.arrayContaining([expect.stringContaining('sessions')]),
    });
  });
});

it('shows no secret in any page or JSON', async () => {
  const secrets = ['s3cr3t-header-value', 'query-secret-token', 'client-secret-xyz', 'status-token-0123456789'];
  await start(
    { access: { token: secrets[3] } },
    {
      proxy: {
        servers: [
          {
            name: 'remote',
            type: 'streamable-http',
            connection: {
              url: `http://user:pw@127.0.0.1:9/mcp?key=${secrets[1]}`,
              headers: { 'x-api-key': secrets[0] },
            },
            auth: { type: 'oauth2', token_url: 'http://127.0.0.1:9/token', client_id: 'c', client_secret: secrets[2] },
            reconnect: { initial: '10s' },
          },
        ],
      },
    },
  );
  const headers = { authorization: `Bearer ${secrets[3]}` };
  const bodies = await Promise.all(
    [
      '/status',
      '/status/api/overview',
      '/status/api/upstreams',
      '/status/api/plan',
      '/status/api/catalogue',
      '/status/fragments/live',
    ].map(async (path) => (await get(path, { headers })).text()),
  );
  const remote = JSON.parse(bodies[2]!).upstreams.find((u: UpstreamRow) => u.name === 'remote') as UpstreamRow;
  expect(remote).toMatchObject({ state: 'down', failures: 1, lastError: expect.any(String) });
  expect(Date.parse(remote.retryAt!)).toBeGreaterThan(Date.now() + 5000); // backing off for 10 s
  expect(bodies.join('\n')).toContain('remote'); // the server is shown...
  for (const body of bodies) for (const secret of [...secrets, 'user:pw']) expect(body).not.toContain(secret); // ...its secrets are not
});
