/**
 * A real browser (Chromium, headless) running an MCP client in a page of another origin: CORS is
 * enforced by the browser itself, so the preflight, the exposed Mcp-Session-Id header and the
 * origin allow list are checked for real. (Debian's chromium; .ci/run installs it.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { afterAll, beforeAll, expect } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/processes.ts';
import { stdioFixture } from '../helpers/servers.ts';
import { chromium as chromiumBrowser, itWith } from '../helpers/debian.ts';

const it = itWith('the browser CORS tests', chromiumBrowser);

/** The page: an MCP client in plain fetch, the flow a browser app runs. */
const page = (gatewayUrl: string) => `<!doctype html><script type="module">
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = async (body, session) => {
  const response = await fetch(${JSON.stringify(gatewayUrl)}, {
    method: 'POST',
    headers: session ? { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  // A POST is answered as JSON, as an SSE stream (opened by an empty priming event) or, for a
  // notification, with an empty 202.
  const events = text.split(/\\r?\\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim());
  const json = response.headers.get('content-type')?.startsWith('text/event-stream') ? events.findLast(Boolean) : text.trim();
  if (body.id !== undefined && !json) throw new Error('HTTP ' + response.status + ' with no body to ' + body.method);
  return { response, message: json ? JSON.parse(json) : undefined };
};
try {
  const init = await rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'browser', version: '1' } } });
  const session = init.response.headers.get('mcp-session-id');
  await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  const list = await rpc({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, session);
  window.result = { session, protocolVersion: init.message.result.protocolVersion, tools: list.message.result.tools.map((t) => t.name) };
} catch (error) {
  window.result = { error: String(error) };
}
</script>`;

let gateway: RunningGateway;
let allowed: Server;
let foreign: Server;
let browser: Browser;

/** The page is only known once the gateway's port is; both origins serve the same one. */
let html = '';
const serve = async () => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
};
const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  allowed = await serve();
  foreign = await serve();
  gateway = await startGateway({
    config: { cors: { allowed_origins: [originOf(allowed)] }, proxy: { servers: [stdioFixture('files')] } },
  });
  // The gateway on "localhost", the pages on "127.0.0.1": different origins, so CORS applies.
  html = page(gateway.mcpUrl.replace('127.0.0.1', 'localhost'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  allowed?.close();
  foreign?.close();
});

const runIn = async (origin: string) => {
  const tab = await browser.newPage();
  try {
    await tab.goto(`${origin}/`);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, {
      timeout: 15_000,
    });
    return (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
      session?: string;
      tools?: string[];
      error?: string;
      protocolVersion?: string;
    };
  } finally {
    await tab.close();
  }
};

it('lets a page on an allowed origin initialize, read its session id, and list tools', async () => {
  const result = await runIn(originOf(allowed));
  expect(result.error).toBeUndefined();
  expect(result.session).toMatch(/^[0-9a-f-]{36}$/);
  expect(result.protocolVersion).toBe('2025-11-25');
  expect(result.tools).toContain('files__echo');
});

it('stops a page on any other origin in the browser', async () => {
  const result = await runIn(originOf(foreign));
  expect(result.error).toMatch(/Failed to fetch/);
});
