/**
 * While the gateway is still starting, the endpoint already serves sessions: a client must see the
 * tools of the upstreams that are up, even though the catalogue is only marked stale (not rebuilt)
 * as each one comes up during the start.
 */
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import { Gateway } from '../../core/engine/gateway.ts';
import { planGateway } from '../../core/boot/loader/plan.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { recordingServer } from '../helpers/http-server.ts';
import { mcpHeaders, messagesOf, openSession } from '../helpers/in-process.ts';
import { repoRoot, startFixtureHttp } from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

const cleanup = cleanupAfterEach();

it('lists the tools of the upstreams already up while another is still connecting', async () => {
  const fast = await startFixtureHttp('fast');
  cleanup(() => fast.stop());
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const slow = await recordingServer(async (_request, response) => {
    await released;
    response.writeHead(503).end();
  }, cleanup);

  const raw = { proxy: { servers: [httpUpstream('fast', fast.url), httpUpstream('slow', `${slow.url}/mcp`)] } };
  const config = parseGatewayConfig(raw);
  const plan = await planGateway({ config, raw, baseDir: repoRoot, cwd: repoRoot });
  const gateway = new Gateway({ config, plan, baseDir: repoRoot, logger: pino({ level: 'silent' }) });
  const started = gateway.start({ listen: false });
  cleanup(async () => (release(), await started.catch(() => {}), await gateway.stop()));

  await vi.waitFor(() => expect(gateway.status().upstreams.find((u) => u.name === 'fast')?.state).toBe('ready'));
  expect(gateway.status().phase).toBe('starting');
  const session = await openSession(gateway.app);
  const listed = await gateway.app.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(session),
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  const [answer] = await messagesOf(listed);
  const names = (answer!.result as { tools: { name: string }[] }).tools.map((tool) => tool.name);
  expect(names.length).toBeGreaterThan(0);
  expect(names.every((name) => name.startsWith('fast'))).toBe(true);

  release();
  await started;
  expect(gateway.status().phase).toBe('ready');
});
