/**
 * Graceful shutdown of a real gateway process: SIGTERM and SIGINT let in-flight calls finish
 * (within shutdown.timeout), stop the stdio children, run onShutdown hooks, and exit 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/client.ts';
import { fixtureStdioCommand, isAlive, startGateway, tempDir } from '../helpers/processes.ts';

async function gatewayWithStdioFixture(extra: Record<string, unknown> = {}, args: string[] = []) {
  const gateway = await startGateway({
    config: {
      ...extra,
      proxy: {
        servers: [
          { name: 'beta', type: 'stdio', connection: { ...fixtureStdioCommand, env: { FIXTURE_NAME: 'beta' } } },
        ],
      },
    },
    args,
  });
  const line = await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('fixture beta running'));
  const pid = Number(/pid (\d+)/.exec(String(line.msg))![1]);
  return { gateway, pid };
}

describe('graceful shutdown', () => {
  it('lets an in-flight call finish on SIGTERM, stops the stdio child, runs onShutdown and exits 0', async () => {
    const dir = tempDir();
    const plugin = join(dir, 'goodbye.mjs');
    writeFileSync(
      plugin,
      `export default { name: 'goodbye', version: '1.0.0', setup: ({ logger }) => ({ onShutdown: () => logger.info('goodbye hook ran') }) };\n`,
    );
    const { gateway, pid } = await gatewayWithStdioFixture({}, ['--plugins', plugin]);
    expect(isAlive(pid)).toBe(true);
    const client = await connectClient(gateway.mcpUrl);
    const call = client.callTool({ name: 'beta__slow', arguments: { ms: 1500 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    gateway.child.kill('SIGTERM');
    await expect(call).resolves.toMatchObject({ content: [{ type: 'text', text: 'slept 1500' }] });
    expect(await gateway.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
    const messages = gateway.logs.map((l) => l.msg);
    expect(messages).toContain('goodbye hook ran');
    expect(messages.indexOf('goodbye hook ran')).toBeGreaterThan(messages.indexOf('stopping'));
    expect(messages.at(-1)).toBe('stopped');
  });

  it('cancels what is still running when shutdown.timeout passes, and still exits 0', async () => {
    const { gateway, pid } = await gatewayWithStdioFixture({ shutdown: { timeout: '300ms' } });
    const client = await connectClient(gateway.mcpUrl);
    const outcome = client.callTool({ name: 'beta__slow', arguments: { ms: 10_000 } }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    gateway.child.kill('SIGINT');
    expect(await gateway.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await outcome).toMatchObject({
      code: -32000,
      message: expect.stringContaining('the gateway is shutting down'),
    });
    expect(isAlive(pid)).toBe(false);
    expect(gateway.logs.some((l) => l.msg === 'shutdown timeout reached; cancelling in-flight requests')).toBe(true);
  });
});
