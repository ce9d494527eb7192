/**
 * Where and to whom the metrics are served: a route that authentication plugins let through, a
 * bearer token that closes it, or a port of its own that opens with the gateway and closes with it.
 * Also what an authentication plugin's refusals count (the example API-key plugin, in-process).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { changes, labelKey, parseExposition } from '../../test/helpers/exposition.ts';
import { initializeBody, mcpHeaders, openSession, rpc } from '../../test/helpers/in-process.ts';
import { freePort } from '../../test/helpers/processes.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';

const started: TestGateway[] = [];
afterEach(async () => {
  for (const gateway of started.splice(0)) await gateway.close();
});

async function gateway(raw: Record<string, unknown>, plugins: string[] = []): Promise<TestGateway> {
  const built = await startTestGateway({ config: { proxy: { servers: [stdioFixture('alpha')] }, ...raw }, plugins });
  started.push(built);
  return built;
}

describe('bearer_token', () => {
  it('answers 401 without the token or with another, and the exposition with it', async () => {
    const gw = await gateway({ metrics: { bearer_token: 'scrape-secret-0123' } });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      'Bearer scrape-secret-012',
      'Bearer scrape-secret-01234',
      'Basic scrape-secret-0123',
      'scrape-secret-0123',
    ]) {
      const response = await gw.request('/metrics', { headers: authorization ? { authorization } : {} });
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain('mcp_gateway');
    }
    for (const authorization of ['Bearer scrape-secret-0123', 'bearer scrape-secret-0123']) {
      const response = await gw.request('/metrics', { headers: { authorization } });
      expect(response.status).toBe(200);
      expect(parseExposition(await response.text()).types.get('mcp_gateway_tools_called')).toBe('counter');
    }
  });
});

describe('reload', () => {
  it('rotates the bearer token live, and refuses other changes until a restart', async () => {
    const raw = (metrics: Record<string, unknown>) => ({ proxy: { servers: [stdioFixture('alpha')] }, metrics });
    const gw = await gateway({ metrics: { bearer_token: 'scrape-secret-old1' } });
    const reload = (metrics: Record<string, unknown>) => gw.reload(raw(metrics));
    const status = async (token: string) =>
      (await gw.request('/metrics', { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await reload({ bearer_token: 'scrape-secret-new2' })).toMatchObject({ reloadedPlugins: ['metrics'] });
    expect([await status('scrape-secret-old1'), await status('scrape-secret-new2')]).toEqual([401, 200]);
    const moved = await reload({ bearer_token: 'scrape-secret-new2', path: '/elsewhere' });
    expect(
      moved.needRestart.some((change) => change.startsWith('plugin metrics') && change.endsWith('options (refused)')),
    ).toBe(true);
    expect(await status('scrape-secret-new2')).toBe(200);
  });
});

describe('path and port', () => {
  it('serves another path when asked', async () => {
    const gw = await gateway({ metrics: { path: '/internal/prometheus' } });
    expect((await gw.request('/internal/prometheus')).status).toBe(200);
    expect((await gw.request('/metrics')).status).toBe(404);
  });

  it('serves on a port of its own instead, and closes it at shutdown', async () => {
    const port = await freePort();
    const gw = await gateway({ metrics: { port, host: '127.0.0.1', bearer_token: 'scrape-secret-0123' } });
    const url = `http://127.0.0.1:${port}`;
    const auth = { authorization: 'Bearer scrape-secret-0123' };
    expect((await gw.request('/metrics')).status).toBe(404);
    const session = await openSession(gw);
    await rpc(gw, session, 'tools/call', { name: 'alpha__echo', arguments: { text: 'x' } });

    const scraped = await fetch(`${url}/metrics`, { headers: auth });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(
      parseExposition(await scraped.text()).value('mcp_gateway_tools_called', { proxy: 'alpha', tool: 'echo' }),
    ).toBe(1);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/mcp`, { headers: auth })).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST', headers: auth });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(`${url}/metrics`, { method: 'HEAD', headers: auth });
    expect([head.status, await head.text()]).toEqual([200, '']);

    await gw.close();
    await expect(fetch(`${url}/metrics`, { headers: auth })).rejects.toThrow();
  });

  it('fails the boot, naming the port, when it is taken', async () => {
    const port = await freePort();
    await gateway({ metrics: { port } });
    await expect(startTestGateway({ config: { metrics: { port } } })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port} for metrics: EADDRINUSE (free the port, or choose another metrics.port)`,
    );
  });
});

describe('with an authentication plugin', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const key = 'ci-key-0123456789';

  it('lets scrapes through, counts refused requests by reason, and never counts them as tool calls', async () => {
    const gw = await gateway({ api_keys: { keys: [{ subject: 'ci', sha256: sha256(key) }] } }, [
      './config/examples/plugins/api-key-auth.ts',
    ]);
    const scrape = async () => {
      const response = await gw.request('/metrics');
      expect(response.status).toBe(200);
      return parseExposition(await response.text());
    };
    const before = await scrape();
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'alpha__echo', arguments: { text: 'x' } },
    });
    for (const extra of [{}, { authorization: 'Bearer wrong' }, { 'x-api-key': 'wrong' }] as Record<string, string>[]) {
      expect(
        (await gw.request('/mcp', { method: 'POST', headers: mcpHeaders(undefined, extra), body: call })).status,
      ).toBe(401);
    }
    const initialize = await gw.request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify(initializeBody()),
    });
    expect(initialize.status).toBe(401);
    const session = await openSession(gw, { 'x-api-key': key });
    await rpc(gw, session, 'tools/call', { name: 'alpha__echo', arguments: { text: 'x' } }, { 'x-api-key': key });
    const after = await scrape();

    expect(changes(before, after, 'mcp_gateway_auth_failures_total')).toEqual({
      [labelKey({ reason: 'missing_token' })]: 2,
      [labelKey({ reason: 'invalid_credential' })]: 2,
    });
    expect(changes(before, after, 'mcp_gateway_tools_called')).toEqual({
      [labelKey({ proxy: 'alpha', tool: 'echo' })]: 1,
    });
    expect(changes(before, after, 'mcp_gateway_http_request_duration_seconds_count')).toEqual({
      [labelKey({ method: 'POST', route: 'mcp', status: '401' })]: 4,
      [labelKey({ method: 'POST', route: 'mcp', status: '200' })]: 2,
      [labelKey({ method: 'POST', route: 'mcp', status: '202' })]: 1,
      [labelKey({ method: 'GET', route: 'metrics', status: '200' })]: 1,
    });
  });
});
