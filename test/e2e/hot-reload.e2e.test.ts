/**
 * Hot reload: the configuration file is edited and the gateway gets SIGHUP. Upstreams are added,
 * replaced and removed without a restart and without dropping the connected client's session,
 * which is told with `tools/list_changed`; a configuration that does not load changes nothing.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { ToolListChangedNotificationSchema as ToolListChanged } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { connectClient, textOf } from '../helpers/client.ts';
import { startFixtureHttp, startGateway, type RunningGateway } from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

const cleanup = cleanupAfterEach();

/** Resolves on the next `tools/list_changed` the client receives. */
function nextListChanged(client: Awaited<ReturnType<typeof connectClient>>): Promise<void> {
  return new Promise((resolve) => client.setNotificationHandler(ToolListChanged, async () => resolve()));
}

async function reloaded(gateway: RunningGateway, config: string | object): Promise<Record<string, unknown>> {
  const before = gateway.logs.length;
  writeFileSync(gateway.configFile, typeof config === 'string' ? config : stringify(config));
  gateway.child.kill('SIGHUP');
  return gateway.waitForLog(
    (line) => gateway.logs.indexOf(line) >= before && /^configuration reload/.test(String(line.msg)),
  );
}

it('adds, replaces and removes upstreams on SIGHUP while the session goes on', async () => {
  const first = await startFixtureHttp('first');
  const second = await startFixtureHttp('second');
  const moved = await startFixtureHttp('moved');
  cleanup(() => Promise.all([first.stop(), second.stop(), moved.stop()]));
  const gateway = await startGateway({ config: { proxy: { servers: [httpUpstream('first', first.url)] } } });
  cleanup(() => gateway.stop());
  const client = await connectClient(gateway.mcpUrl);
  cleanup(() => client.close());
  const sessionId = client.transport?.sessionId;
  expect(textOf(await client.callTool({ name: 'first__echo', arguments: { text: 'a' } }))).toBe('first: a');

  let changed = nextListChanged(client);
  const added = await reloaded(gateway, {
    proxy: { servers: [httpUpstream('first', first.url), httpUpstream('second', second.url)] },
  });
  expect(added).toMatchObject({ msg: 'configuration reloaded', added: ['second'], removed: [], changed: [] });
  await changed;
  expect(textOf(await client.callTool({ name: 'second__echo', arguments: { text: 'b' } }))).toBe('second: b');
  expect(textOf(await client.callTool({ name: 'first__echo', arguments: { text: 'c' } }))).toBe('first: c');

  // "second" now points at another server: its upstream is replaced, under the same name.
  changed = nextListChanged(client);
  const replaced = await reloaded(gateway, { proxy: { servers: [httpUpstream('second', moved.url)] } });
  expect(replaced).toMatchObject({ added: [], removed: ['first'], changed: ['second'] });
  await changed;
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  expect(names.some((name) => name.startsWith('first__'))).toBe(false);
  expect(textOf(await client.callTool({ name: 'second__echo', arguments: { text: 'd' } }))).toBe('moved: d');
  const gone = await client.callTool({ name: 'first__echo', arguments: { text: 'e' } }).catch((error: Error) => error);
  expect(gone instanceof Error ? gone.message : JSON.stringify(gone)).toMatch(/first__echo/);
  expect(client.transport?.sessionId).toBe(sessionId);
  // The removed server's sessions were ended, the client's own included: only this one is left.
  const direct = await connectClient(first.url);
  cleanup(() => direct.close());
  const stats = JSON.parse(textOf(await direct.callTool({ name: 'stats', arguments: {} }))) as { sessions: number };
  expect(stats.sessions).toBe(1);
});

it('refuses a configuration that does not load, and keeps serving the running one', async () => {
  const only = await startFixtureHttp('only');
  cleanup(() => only.stop());
  const gateway = await startGateway({ config: { proxy: { servers: [httpUpstream('only', only.url)] } } });
  cleanup(() => gateway.stop());
  const client = await connectClient(gateway.mcpUrl);
  cleanup(() => client.close());
  const toolsBefore = (await client.listTools()).tools.map((tool) => tool.name);

  const broken = await reloaded(
    gateway,
    'proxy:\n  servers:\n    - name: only\n      type: streamable-http\n      connection: { url: 42 }\n',
  );
  expect(broken).toMatchObject({ level: 50 });
  expect(String(broken.msg)).toMatch(/configuration reload refused, the running one stays: .*url/);

  const notYaml = await reloaded(gateway, 'proxy: [unclosed\n');
  expect(String(notYaml.msg)).toMatch(/configuration reload refused/);

  // A transport whose plugin is not loaded cannot be added live.
  const stdio = await reloaded(gateway, {
    proxy: {
      servers: [
        httpUpstream('only', only.url),
        { name: 'local', type: 'stdio', connection: { command: process.execPath } },
      ],
    },
  });
  expect(String(stdio.msg)).toMatch(/configuration reload refused.*"stdio".*restart/);

  expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(toolsBefore);
  expect(textOf(await client.callTool({ name: 'only__echo', arguments: { text: 'still' } }))).toBe('only: still');
});

it('reports the changes that need a restart, and applies the upstream ones anyway', async () => {
  const one = await startFixtureHttp('one');
  cleanup(() => one.stop());
  const gateway = await startGateway({ config: { proxy: { servers: [httpUpstream('one', one.url)] } } });
  cleanup(() => gateway.stop());
  const line = await reloaded(gateway, {
    server: { max_body_size: 12345 },
    proxy: { servers: [httpUpstream('one', one.url, { prefix: 'uno' })] },
  });
  expect(line).toMatchObject({
    msg: 'configuration reloaded; some changes take effect only after a restart',
    changed: ['one'],
  });
  expect(line.need_restart).toEqual(['server']);
  const client = await connectClient(gateway.mcpUrl);
  cleanup(() => client.close());
  expect(textOf(await client.callTool({ name: 'uno__echo', arguments: { text: 'x' } }))).toBe('one: x');
});

it('applies new permissions live: the client is told its lists changed, and calls follow the new policy', async () => {
  const alpha = await startFixtureHttp('alpha');
  cleanup(() => alpha.stop());
  const config = (permissions: Record<string, string[]>) => ({
    auth: { permissions },
    proxy: { servers: [httpUpstream('alpha', alpha.url)] },
  });
  const gateway = await startGateway({ config: config({ 'alpha:echo': [] }) });
  cleanup(() => gateway.stop());
  const client = await connectClient(gateway.mcpUrl);
  cleanup(() => client.close());
  const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
  expect(await names()).toEqual(['alpha__echo']);

  let changed = nextListChanged(client);
  const opened = await reloaded(gateway, config({ 'alpha:echo': [], 'alpha:add': [] }));
  expect(opened).toMatchObject({ msg: 'configuration reloaded', plugins_reconfigured: ['permissions'] });
  expect(opened.need_restart).toBeUndefined();
  await changed;
  expect((await names()).sort()).toEqual(['alpha__add', 'alpha__echo']);
  expect(textOf(await client.callTool({ name: 'alpha__add', arguments: { a: 2, b: 3 } }))).toBe('5');

  changed = nextListChanged(client);
  await reloaded(gateway, config({ 'alpha:echo': [] }));
  await changed;
  expect(await names()).toEqual(['alpha__echo']);
  const denied = await client
    .callTool({ name: 'alpha__add', arguments: { a: 2, b: 3 } })
    .catch((error: Error) => error);
  expect(denied instanceof Error ? denied.message : JSON.stringify(denied)).toMatch(/alpha__add/);

  // A server and a rule naming it, in one reload: the rule is checked against the new server list.
  const beta = await startFixtureHttp('beta');
  cleanup(() => beta.stop());
  const before = gateway.logs.length;
  const both = await reloaded(gateway, {
    auth: { permissions: { 'alpha:echo': [], 'beta:echo': [] } },
    proxy: { servers: [httpUpstream('alpha', alpha.url), httpUpstream('beta', beta.url)] },
  });
  expect(both).toMatchObject({ added: ['beta'], plugins_reconfigured: ['permissions'] });
  expect(gateway.logs.slice(before).filter((line) => /not in proxy\.servers/.test(String(line.msg)))).toEqual([]);
  expect(textOf(await client.callTool({ name: 'beta__echo', arguments: { text: 'b' } }))).toBe('beta: b');
});

it('with --watch, reloads when the file changes, without a signal', async () => {
  const first = await startFixtureHttp('first');
  const second = await startFixtureHttp('second');
  cleanup(() => Promise.all([first.stop(), second.stop()]));
  const gateway = await startGateway({
    config: { proxy: { servers: [httpUpstream('first', first.url)] } },
    args: ['--watch'],
  });
  cleanup(() => gateway.stop());
  await gateway.waitForLog((line) => line.msg === 'watching the configuration file');
  const client = await connectClient(gateway.mcpUrl);
  cleanup(() => client.close());
  const changed = nextListChanged(client);
  // Saved the way many editors do: a new file renamed over the old one.
  const next = `${gateway.configFile}.new`;
  writeFileSync(
    next,
    stringify({ proxy: { servers: [httpUpstream('first', first.url), httpUpstream('second', second.url)] } }),
  );
  renameSync(next, gateway.configFile);
  await changed;
  expect(textOf(await client.callTool({ name: 'second__echo', arguments: { text: 'w' } }))).toBe('second: w');
  expect(gateway.logs.filter((line) => line.msg === 'configuration reloaded')).toHaveLength(1);
});
