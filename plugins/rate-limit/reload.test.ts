/** New rules on a configuration reload apply at once (with fresh counters); a new store takes a restart. */
import { afterEach, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { initializeBody, mcpHeaders } from '../../test/helpers/in-process.ts';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const config = (rateLimit: Record<string, unknown>) => ({ plugins: ['health', 'rate-limit'], rate_limit: rateLimit });
const rule = (requests: number) => ({ rules: [{ name: 'mcp-requests', requests, window: '1m' }] });

const initialize = async () => {
  const response = await gateway!.request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(),
    body: JSON.stringify(initializeBody()),
  });
  await response.text();
  return response.status;
};

const reload = (raw: Record<string, unknown>) => gateway!.reload(raw);

it('applies new rules live, counting afresh', async () => {
  gateway = await startTestGateway({ config: config(rule(2)) });
  expect([await initialize(), await initialize(), await initialize()]).toEqual([200, 200, 429]);
  const diff = await reload(config(rule(3)));
  expect(diff).toMatchObject({ reloadedPlugins: ['rate-limit'] });
  expect([await initialize(), await initialize(), await initialize(), await initialize()]).toEqual([
    200, 200, 200, 429,
  ]);
});

it('keeps its limits when the new options change the store, which takes a restart', async () => {
  gateway = await startTestGateway({ config: config(rule(1)) });
  expect([await initialize(), await initialize()]).toEqual([200, 429]);
  const diff = await reload(config({ ...rule(5), store: 'redis', redis: { url: 'redis://127.0.0.1:1' } }));
  expect(diff).toMatchObject({ reloadedPlugins: [] });
  expect(
    diff.needRestart.some((change) => change.startsWith('plugin rate-limit') && change.endsWith('options (refused)')),
  ).toBe(true);
  expect(await initialize()).toBe(429);
});
