/** New cache rules on a configuration reload apply at once; a new store takes a restart. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { openSession, rpc } from '../../test/helpers/in-process.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';

const config = (cache: Record<string, unknown>) => ({ proxy: { servers: [stdioFixture('alpha')] }, cache });
let gateway: TestGateway;
let session: string;

beforeAll(async () => {
  gateway = await startTestGateway({ config: config({ rules: [{ tools: 'alpha:counter', ttl: '1m' }] }) });
  session = await openSession(gateway);
});
afterAll(() => gateway?.close());

const counter = async (key: string) => {
  const { message } = await rpc(gateway, session, 'tools/call', { name: 'alpha__counter', arguments: { key } });
  return (message.result as { content: { text: string }[] }).content[0]!.text;
};

const reload = (raw: Record<string, unknown>) => gateway.reload(raw);

it('stops caching a tool its new rules leave out, and starts again when they name it', async () => {
  const cached = await counter('a');
  expect(await counter('a')).toBe(cached);

  expect(await reload(config({ rules: [{ tools: 'alpha:echo', ttl: '1m' }] }))).toMatchObject({
    reloadedPlugins: ['cache'],
  });
  const fresh = await counter('a');
  expect(fresh).not.toBe(cached);
  expect(await counter('a')).not.toBe(fresh);

  await reload(config({ rules: [{ tools: 'alpha:counter', ttl: '1m' }] }));
  const again = await counter('b');
  expect(await counter('b')).toBe(again);
});

it('keeps its rules when the new options change the store, which takes a restart', async () => {
  const diff = await reload(
    config({ store: 'redis', redis: { url: 'redis://127.0.0.1:1' }, rules: [{ tools: 'alpha:echo', ttl: '1m' }] }),
  );
  expect(diff).toMatchObject({ reloadedPlugins: [] });
  expect(
    diff.needRestart.some((change) => change.startsWith('plugin cache') && change.endsWith('options (refused)')),
  ).toBe(true);
  const cached = await counter('c');
  expect(await counter('c')).toBe(cached);
});
