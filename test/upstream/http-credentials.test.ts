/**
 * `UpstreamCredentials` and the HTTP transports' use of it, against tiny real HTTP servers: a
 * token endpoint that counts its requests, and upstreams that refuse a token once with 401.
 */
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/kernel/index.ts';
import { Cancellation } from '../../core/lib/cancellation.ts';
import {
  HttpClient,
  httpServerSettings,
  readBody,
  UpstreamCredentials,
  type HttpServerSettings,
} from '../../core/lib/http/index.ts';
import { HttpChannel } from '../../plugins/streamable-http/http-channel.ts';
import { openSseChannel } from '../../plugins/sse/sse-channel.ts';
import { freePort } from '../helpers/processes.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { recordingServer, type Seen } from '../helpers/http-server.ts';

const silent = pino({ level: 'silent' });
const SECRET = 'client-secret-3b9f';

const cleanup = cleanupAfterEach();
const serve = (handle: Parameters<typeof recordingServer>[0]) => recordingServer(handle, cleanup);

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** A token endpoint issuing `token-1`, `token-2`, ... (`answer` may say otherwise). */
async function tokenEndpoint(
  answer: (n: number, req: Seen) => { status: number; body: unknown } | undefined = () => undefined,
  delayMs = 0,
) {
  let issued = 0;
  const endpoint = await serve(async (req, res) => {
    issued += 1;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const custom = answer(issued, req);
    if (custom) return json(res, custom.status, custom.body);
    json(res, 200, { access_token: `token-${issued}`, token_type: 'Bearer', expires_in: 3600 });
  });
  return { ...endpoint, tokenUrl: `${endpoint.url}/oauth2/token` };
}

function settings(
  url: string,
  auth: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
): HttpServerSettings {
  return httpServerSettings('the MCP endpoint').parse({ connection: { url, headers }, ...(auth ? { auth } : {}) });
}

const oauth2 = (tokenUrl: string, extra: Record<string, unknown> = {}) => ({
  type: 'oauth2',
  token_url: tokenUrl,
  client_id: 'gw',
  client_secret: SECRET,
  ...extra,
});
const signal = () => AbortSignal.timeout(5000);
/** A channel request's options, given up after 5 s. */
const within5s = () => {
  const cancellation = Cancellation.following(signal());
  return { cancellation, signal: cancellation.signal };
};

describe('UpstreamCredentials', () => {
  it('gets a token with the client credentials grant (Basic client auth by default) and adds it to the configured headers', async () => {
    const idp = await tokenEndpoint();
    const credentials = new UpstreamCredentials(
      'n8n',
      settings(
        'http://127.0.0.1:1/mcp',
        oauth2(idp.tokenUrl, { scope: 'a b', resource: 'https://n8n.example.com/mcp' }),
        { 'X-Team': 'platform', Authorization: 'Bearer static' },
      ),
    );
    expect(await credentials.headers(signal())).toEqual({ 'x-team': 'platform', authorization: 'Bearer token-1' });
    const [request] = idp.seen;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`gw:${SECRET}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'a b',
      resource: 'https://n8n.example.com/mcp',
    });
  });

  it('sends the client id and secret in the form with client_auth: post', async () => {
    const idp = await tokenEndpoint();
    const credentials = new UpstreamCredentials(
      'n8n',
      settings('http://127.0.0.1:1/mcp', oauth2(idp.tokenUrl, { client_auth: 'post', audience: 'https://api' })),
    );
    await credentials.headers(signal());
    expect(idp.seen[0]!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(idp.seen[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      audience: 'https://api',
      client_id: 'gw',
      client_secret: SECRET,
    });
  });

  it('shares one fetch among concurrent requests and caches the token', async () => {
    const idp = await tokenEndpoint(undefined, 100);
    const credentials = new UpstreamCredentials('n8n', settings('http://127.0.0.1:1/mcp', oauth2(idp.tokenUrl)));
    const all = await Promise.all(Array.from({ length: 10 }, () => credentials.headers(signal())));
    expect(new Set(all.map((h) => h.authorization))).toEqual(new Set(['Bearer token-1']));
    expect((await credentials.headers(signal())).authorization).toBe('Bearer token-1');
    expect(idp.seen).toHaveLength(1);
  });

  it('keeps a token without expires_in, and replaces one whose expires_in has (nearly) passed', async () => {
    const idp = await tokenEndpoint((n) => ({
      status: 200,
      body:
        n === 1
          ? { access_token: 'forever', token_type: 'bearer' }
          : { access_token: `short-${n}`, token_type: 'Bearer', expires_in: 0 },
    }));
    const credentials = new UpstreamCredentials('n8n', settings('http://127.0.0.1:1/mcp', oauth2(idp.tokenUrl)));
    expect((await credentials.headers(signal())).authorization).toBe('Bearer forever');
    expect((await credentials.headers(signal())).authorization).toBe('Bearer forever');
    credentials.refresh();
    expect((await credentials.headers(signal())).authorization).toBe('Bearer short-2');
    expect((await credentials.headers(signal())).authorization).toBe('Bearer short-3');
  });

  it("fails with an error naming the server and the endpoint's answer, never the secret, and tries again next time", async () => {
    let down = true;
    const idp = await tokenEndpoint(() =>
      down ? { status: 400, body: { error: 'invalid_client', error_description: `bad secret ${SECRET}` } } : undefined,
    );
    const credentials = new UpstreamCredentials(
      'n8n',
      settings('http://127.0.0.1:1/mcp', oauth2(`${idp.tokenUrl}?tenant=x`)),
    );
    const failure = await credentials.headers(signal()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).message).toBe(
      `upstream server "n8n" could not get an access token: the token endpoint ${idp.tokenUrl} answered HTTP 400: invalid_client (bad secret [redacted])`,
    );
    expect((failure as GatewayError).data).toEqual({ server: 'n8n' });
    down = false;
    expect((await credentials.headers(signal())).authorization).toBe('Bearer token-2');
  });

  it('says so when the token endpoint cannot be reached, answers no token, or a token of another type', async () => {
    const port = await freePort();
    const unreachable = new UpstreamCredentials(
      'a',
      settings('http://127.0.0.1:1/mcp', oauth2(`http://127.0.0.1:${port}/token`)),
    );
    await expect(unreachable.headers(signal())).rejects.toThrow(
      `upstream server "a" could not get an access token: the token endpoint http://127.0.0.1:${port}/token could not be reached: ECONNREFUSED`,
    );
    const html = await tokenEndpoint(() => ({ status: 200, body: 'not json' }));
    await expect(
      new UpstreamCredentials('b', settings('http://127.0.0.1:1/mcp', oauth2(html.tokenUrl))).headers(signal()),
    ).rejects.toThrow(/answered without an access_token: "not json"/);
    const mac = await tokenEndpoint(() => ({ status: 200, body: { access_token: 'x', token_type: 'mac' } }));
    await expect(
      new UpstreamCredentials('c', settings('http://127.0.0.1:1/mcp', oauth2(mac.tokenUrl))).headers(signal()),
    ).rejects.toThrow(/token of type "mac"; only Bearer is supported/);
  });

  it("stops waiting when the caller's signal aborts, without failing the fetch for others", async () => {
    const idp = await tokenEndpoint(undefined, 300);
    const credentials = new UpstreamCredentials('n8n', settings('http://127.0.0.1:1/mcp', oauth2(idp.tokenUrl)));
    const controller = new AbortController();
    const impatient = credentials.headers(controller.signal);
    const patient = credentials.headers(signal());
    controller.abort(new Error('client went away'));
    await expect(impatient).rejects.toThrow('client went away');
    expect((await patient).authorization).toBe('Bearer token-1');
    expect(idp.seen).toHaveLength(1);
  });

  it('gets a new token and resends once when the upstream answers 401, once for many refused requests at once', async () => {
    const idp = await tokenEndpoint(undefined, 50);
    const upstream = await serve((req, res) => {
      if (req.headers.authorization === 'Bearer token-1')
        return void res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      res.writeHead(200).end('ok');
    });
    const credentials = new UpstreamCredentials('n8n', settings(`${upstream.url}/mcp`, oauth2(idp.tokenUrl)));
    const client = new HttpClient(new URL(`${upstream.url}/mcp`));
    cleanup(() => client.close());
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        credentials.exchange(client, { method: 'POST', headers: {}, body: '{}', signal: signal() }),
      ),
    );
    expect(await Promise.all(responses.map((r) => readBody(r)))).toEqual(Array(5).fill('ok'));
    expect(idp.seen).toHaveLength(2);
    expect(upstream.seen.filter((r) => r.headers.authorization === 'Bearer token-1')).toHaveLength(5);
    expect(upstream.seen.filter((r) => r.headers.authorization === 'Bearer token-2')).toHaveLength(5);
    expect(upstream.seen.every((r) => r.body === '{}')).toBe(true);
  });

  it('returns a second 401 as it is, and does not resend with static credentials', async () => {
    const upstream = await serve((_req, res) => void res.writeHead(401).end('no'));
    const idp = await tokenEndpoint();
    const client = new HttpClient(new URL(`${upstream.url}/mcp`));
    cleanup(() => client.close());
    const refreshing = new UpstreamCredentials('a', settings(`${upstream.url}/mcp`, oauth2(idp.tokenUrl)));
    expect((await refreshing.exchange(client, { method: 'GET', headers: {}, signal: signal() })).statusCode).toBe(401);
    expect(upstream.seen).toHaveLength(2);
    const fixed = new UpstreamCredentials('b', settings(`${upstream.url}/mcp`, { type: 'bearer', token: 'static' }));
    expect(fixed.refreshable).toBe(false);
    expect((await fixed.exchange(client, { method: 'GET', headers: {}, signal: signal() })).statusCode).toBe(401);
    expect(upstream.seen).toHaveLength(3);
    expect(upstream.seen[2]!.headers.authorization).toBe('Bearer static');
  });

  it("lets the credentials win over the exchange's headers, and the exchange's over the configured ones", async () => {
    const upstream = await serve((_req, res) => void res.writeHead(200).end());
    const idp = await tokenEndpoint();
    const client = new HttpClient(new URL(`${upstream.url}/mcp`));
    cleanup(() => client.close());
    const credentials = new UpstreamCredentials(
      'a',
      settings(`${upstream.url}/mcp`, oauth2(idp.tokenUrl), { accept: 'text/plain', 'x-team': 'platform' }),
    );
    (
      await credentials.exchange(client, {
        method: 'GET',
        headers: { accept: 'text/event-stream', authorization: 'Bearer client-token' },
        signal: signal(),
      })
    ).body.discard();
    expect(upstream.seen[0]!.headers).toMatchObject({
      accept: 'text/event-stream',
      'x-team': 'platform',
      authorization: 'Bearer token-1',
    });
  });
});

describe('the HTTP transports with OAuth 2', () => {
  it('streamable-http: resends a request the upstream refused with 401, with a new token', async () => {
    const idp = await tokenEndpoint();
    const upstream = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer token-2') return void res.writeHead(401).end();
      const { id } = JSON.parse(req.body) as { id: number };
      res
        .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' })
        .end(JSON.stringify({ jsonrpc: '2.0', id, result: { ok: true } }));
    });
    const credentials = new UpstreamCredentials('n8n', settings(`${upstream.url}/mcp`, oauth2(idp.tokenUrl)));
    const client = new HttpClient(new URL(`${upstream.url}/mcp`));
    cleanup(() => client.close());
    const channel = new HttpChannel(client, credentials, silent);
    const answer = await channel.request(
      { jsonrpc: '2.0', id: 7, method: 'initialize', params: {} },
      { ...within5s(), headers: { 'x-request-id': 'r1' } },
    );
    expect(answer).toEqual({ jsonrpc: '2.0', id: 7, result: { ok: true } });
    expect(upstream.seen.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(upstream.seen[1]!.headers['x-request-id']).toBe('r1');
    expect(JSON.parse(upstream.seen[1]!.body)).toMatchObject({ id: 7, method: 'initialize' });
  });

  it('sse: opens the stream and posts messages with the token, resending each once after a 401', async () => {
    const idp = await tokenEndpoint();
    let good = 'Bearer token-2';
    let stream: ServerResponse | undefined;
    const upstream = await serve((req, res) => {
      if (req.headers.authorization !== good) return void res.writeHead(401).end();
      if (req.method === 'GET') {
        stream = res;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return void res.write('event: endpoint\ndata: /messages?session=1\n\n');
      }
      res.writeHead(202).end();
      const { id } = JSON.parse(req.body) as { id: number };
      stream?.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: {} })}\n\n`);
    });
    const credentials = new UpstreamCredentials('legacy', settings(`${upstream.url}/sse`, oauth2(idp.tokenUrl)));
    const channel = await openSseChannel(new URL(`${upstream.url}/sse`), credentials, silent, signal());
    cleanup(() => channel.close());
    expect(upstream.seen.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual([
      'GET Bearer token-1',
      'GET Bearer token-2',
    ]);
    good = 'Bearer token-3'; // the upstream now refuses token-2
    expect(await channel.request({ jsonrpc: '2.0', id: 1, method: 'ping' }, within5s())).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {},
    });
    expect(upstream.seen.slice(2).map((r) => `${r.method} ${r.url} ${r.headers.authorization}`)).toEqual([
      'POST /messages?session=1 Bearer token-2',
      'POST /messages?session=1 Bearer token-3',
    ]);
    expect(idp.seen).toHaveLength(3);
  });
});
