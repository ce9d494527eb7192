/** CORS, header by header, in-process: preflights, actual requests, and the shared allow list. */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { initializeBody, mcpHeaders } from '../../test/helpers/in-process.ts';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const start = async (cors: Record<string, unknown> = {}) =>
  (gateway = await startTestGateway({ config: { plugins: ['health', 'cors'], cors } }));

const preflight = (origin: string, headers = 'content-type, mcp-session-id, mcp-protocol-version, authorization') =>
  gateway!.request('/mcp', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

const initialize = (origin: string) =>
  gateway!.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(undefined, { origin }),
    body: JSON.stringify(initializeBody()),
  });

describe('preflight', () => {
  it('answers an allowed origin with what an MCP client needs to send', async () => {
    await start();
    const response = await preflight('http://localhost:6274');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual([
      'GET',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
    ]);
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    for (const header of ['content-type', 'authorization', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'])
      expect(allowed).toContain(header);
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('gives a foreign origin no permission', async () => {
    await start();
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('actual requests', () => {
  it('let a browser read the session id, the protocol version and the auth challenge', async () => {
    await start();
    const response = await initialize('http://localhost:6274');
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    const exposed = response.headers.get('access-control-expose-headers')!.toLowerCase().split(',');
    for (const header of ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'])
      expect(exposed).toContain(header);
    await response.text();
  });

  it('share one allow list with the /mcp Origin check', async () => {
    await start({ allowed_origins: ['https://*.example.com'] });
    const app = await initialize('https://app.example.com');
    expect(app.status).toBe(200);
    expect(app.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    await app.text();
    // Loopback was allowed by the kernel's default list; the CORS list replaced it.
    const local = await initialize('http://localhost:6274');
    expect(local.status).toBe(403);
    expect(local.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allow any origin with "*", echoing it (never "*" with credentials)', async () => {
    await start({ allowed_origins: ['*'] });
    const response = await initialize('https://anywhere.example');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
    await response.text();
  });

  it("get no CORS headers when cors.enabled is false, and the kernel's own Origin list applies", async () => {
    await start({ enabled: false, allowed_origins: ['https://app.example.com'] });
    const local = await initialize('http://localhost:6274');
    expect(local.status).toBe(200);
    expect(local.headers.get('access-control-allow-origin')).toBeNull();
    await local.text();
    expect((await initialize('https://app.example.com')).status).toBe(403);
  });
});

describe('reload', () => {
  it('applies new options live: the preflight and the /mcp Origin check follow the new list', async () => {
    await start({ allowed_origins: ['https://a.example'] });
    expect((await preflight('https://b.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await initialize('https://b.example')).status).toBe(403);

    const diff = await gateway!.reload({
      plugins: ['health', 'cors'],
      cors: { allowed_origins: ['https://b.example'] },
    });
    expect(diff).toMatchObject({ reloadedPlugins: ['cors'] });
    expect(diff.needRestart).toEqual([]);
    expect((await preflight('https://b.example')).headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect((await preflight('https://a.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await initialize('https://b.example')).status).toBe(200);
    expect((await initialize('https://a.example')).status).toBe(403);
  });
});
