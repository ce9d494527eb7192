/**
 * How the gateway finds out an upstream's protocol era (`protocol: auto`): a `server/discover`
 * first, as the spec has a client do. A server that does not know it is spoken to in the 2025
 * era; refused credentials and a failing server are no verdict (the upstream is down, and no
 * `initialize` is tried); a stdio server the probe left stuck is started again for `initialize`;
 * a server pinned to 2026-07-28 that is not of that era is down, saying why.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { definePlugin, type GatewayEvent } from 'mcp-gateway';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterEach, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { recordingServer } from '../helpers/http-server.ts';
import { repoRoot, tsxCli } from '../helpers/processes.ts';
import { httpUpstream, stdioFixture } from '../helpers/servers.ts';

const cleanup = cleanupAfterEach();
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const status = (name: string) => gateway!.status().upstreams.find((u) => u.name === name)!;

it('speaks the 2025 era to a server that does not know server/discover, and tells it in the status and events', async () => {
  const events: GatewayEvent[] = [];
  const observer = definePlugin({
    name: 'observer',
    version: '1.0.0',
    setup: () => ({ onEvent: (e) => void events.push(e) }),
  });
  gateway = await startTestGateway({
    plugins: [observer],
    servers: { old: () => new McpServer({ name: 'old', version: '1' }) },
  });
  expect(status('old')).toMatchObject({ state: 'ready', protocolVersion: '2025-11-25' });
  expect(events).toContainEqual(
    expect.objectContaining({ type: 'upstream', server: 'old', state: 'ready', protocolVersion: '2025-11-25' }),
  );
});

it.each([401, 403, 503])('takes an HTTP %i answer to the probe for no era: down, and no initialize', async (code) => {
  const upstream = await recordingServer((_req, res) => res.writeHead(code).end(), cleanup);
  gateway = await startTestGateway({
    config: { proxy: { servers: [httpUpstream('refusing', `${upstream.url}/mcp`)] } },
  });
  expect(status('refusing')).toMatchObject({ state: 'down', error: expect.stringContaining(`HTTP ${code}`) });
  const methods = upstream.seen.map((seen) => (JSON.parse(seen.body) as { method: string }).method);
  expect(methods).not.toContain('initialize');
  expect(methods[0]).toBe('server/discover');
});

it('starts a stdio server again for initialize when the probe left it silent', async () => {
  const silent = { command: process.execPath, args: [tsxCli, `${repoRoot}test/fixtures/silent-on-discover.ts`] };
  gateway = await startTestGateway({
    config: { proxy: { servers: [{ name: 'silent', type: 'stdio', connect_timeout: '3s', connection: silent }] } },
  });
  expect(status('silent')).toMatchObject({ state: 'ready', protocolVersion: '2025-11-25', tools: 1 });
});

it('is down, saying why, when pinned to 2026-07-28 but the server is of the 2025 era', async () => {
  gateway = await startTestGateway({
    config: { proxy: { servers: [stdioFixture('pinned', { protocol: '2026-07-28' })] } },
  });
  expect(status('pinned')).toMatchObject({ state: 'down', error: expect.stringContaining('server/discover') });
});

it('asks once more when the probe gets -32022 naming 2026-07-28, and speaks that era', async () => {
  let discovers = 0;
  const upstream = await recordingServer((req, res) => {
    const { id, method } = JSON.parse(req.body) as { id: unknown; method: string };
    const answer = (status: number, body: Record<string, unknown>) =>
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id, ...body }));
    if (method === 'server/discover' && ++discovers === 1)
      return answer(400, {
        error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28'] } },
      });
    if (method === 'server/discover')
      return answer(200, {
        result: { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} } },
      });
    if (method === 'tools/list') return answer(200, { result: { resultType: 'complete', tools: [] } });
    return answer(404, { error: { code: -32601, message: 'Method not found' } });
  }, cleanup);
  gateway = await startTestGateway({
    config: { proxy: { servers: [httpUpstream('corrected', `${upstream.url}/mcp`)] } },
  });
  expect(status('corrected')).toMatchObject({ state: 'ready', protocolVersion: '2026-07-28' });
  const methods = upstream.seen.map((seen) => (JSON.parse(seen.body) as { method: string }).method);
  expect(methods).toEqual(['server/discover', 'server/discover', 'tools/list']);
});
