/**
 * How upstream servers are configured and behave behind a real gateway process: credentials,
 * timeouts, pagination, naming (prefix, empty prefix, separator, clashes), readiness, and an
 * upstream that comes up after the gateway.
 */
import { ToolListChangedNotificationSchema as ToolListChanged } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { baseTools } from '../fixtures/fixture/tools.ts';
import { connectClient, textOf } from '../helpers/client.ts';
import { stdioFixture as stdio } from '../helpers/servers.ts';

import {
  freePort,
  isReadyLine,
  runCli,
  startFixtureHttp,
  startGateway,
  tempDir,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cleanupAfterEach } from '../helpers/cleanup.ts';

const cleanup = cleanupAfterEach();

async function fixture(name: string, env: Record<string, string> = {}): Promise<FixtureHttp> {
  const started = await startFixtureHttp(name, 0, env);
  cleanup(() => started.stop());
  return started;
}

async function gateway(
  config: object,
  env: Record<string, string> = {},
  untilListening = false,
): Promise<RunningGateway> {
  const started = await startGateway({ config, env, untilListening });
  cleanup(() => started.stop());
  return started;
}

describe('upstream credentials', () => {
  it("sends each server its own bearer token or header, from the environment, and never the client's", async () => {
    const a = await fixture('a');
    const b = await fixture('b');
    const gw = await gateway(
      {
        proxy: {
          servers: [
            {
              name: 'a',
              type: 'streamable-http',
              connection: { url: a.url },
              auth: { type: 'bearer', token: '${A_TOKEN}' },
            },
            {
              name: 'b',
              type: 'streamable-http',
              connection: { url: b.url, headers: { 'X-Team': 'platform' } },
              auth: { type: 'header', header: 'x-n8n-key', value: '${B_KEY}' },
            },
          ],
        },
      },
      { A_TOKEN: 'token-for-a', B_KEY: 'key-for-b' },
    );
    const client = await connectClient(gw.mcpUrl, { headers: { authorization: 'Bearer client-secret' } });
    cleanup(() => client.close());
    const seenByA = JSON.parse(textOf(await client.callTool({ name: 'a__headers', arguments: {} }))) as Record<
      string,
      string
    >;
    const seenByB = JSON.parse(textOf(await client.callTool({ name: 'b__headers', arguments: {} }))) as Record<
      string,
      string
    >;
    expect(seenByA.authorization).toBe('Bearer token-for-a');
    expect(seenByB['x-n8n-key']).toBe('key-for-b');
    expect(seenByB['x-team']).toBe('platform');
    expect(seenByB.authorization).toBeUndefined();
    const logged = JSON.stringify(gw.logs);
    expect(logged).not.toContain('token-for-a');
    expect(logged).not.toContain('key-for-b');
    expect(logged).not.toContain('client-secret');
  });
});

describe('requests', () => {
  it('times a slow upstream out after its connection.timeout, with an error naming it, and keeps serving', async () => {
    const gw = await gateway({
      proxy: { servers: [stdio('slowpoke', { connection: { ...stdio('slowpoke').connection, timeout: '300ms' } })] },
    });
    const client = await connectClient(gw.mcpUrl);
    cleanup(() => client.close());
    const started = Date.now();
    await expect(client.callTool({ name: 'slowpoke__slow', arguments: { ms: 5000 } })).rejects.toMatchObject({
      code: -32001,
      message: expect.stringContaining('upstream slowpoke did not answer tools/call within 300 ms'),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(textOf(await client.callTool({ name: 'slowpoke__echo', arguments: { text: 'still here' } }))).toBe(
      'slowpoke: still here',
    );
  });

  it("follows an upstream's tools/list pages to the end", async () => {
    const paged = await fixture('paged', { FIXTURE_PAGE_SIZE: '2' });
    const gw = await gateway({
      proxy: { servers: [{ name: 'paged', type: 'streamable-http', connection: { url: paged.url } }] },
    });
    const client = await connectClient(gw.mcpUrl);
    cleanup(() => client.close());
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(baseTools.map((t) => `paged__${t.name}`));
  });
});

describe('naming', () => {
  it('uses prefix instead of the server name, exposes names unchanged with an empty prefix, and honours the separator', async () => {
    const gw = await gateway({
      proxy: { separator: ':', servers: [stdio('first', { prefix: 'one' }), stdio('second', { prefix: '' })] },
    });
    const client = await connectClient(gw.mcpUrl);
    cleanup(() => client.close());
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('one:echo');
    expect(names).toContain('echo');
    expect(names.some((n) => n.startsWith('first'))).toBe(false);
    expect(textOf(await client.callTool({ name: 'one:echo', arguments: { text: 'x' } }))).toBe('first: x');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('second: x');
  });

  it('refuses to boot when two servers expose the same name', async () => {
    const dir = tempDir();
    const file = join(dir, 'clash.yaml');
    writeFileSync(
      file,
      stringify({ proxy: { servers: [stdio('left', { prefix: '' }), stdio('right', { prefix: '' })] } }),
    );
    const result = await runCli(['serve', '--config', file, '--port', '0', '--log-level', 'silent']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^mcp-gateway: GW_ERR_NAME_CLASH: tool "echo" is exposed by "left" and "right"/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('readiness', () => {
  it('is 503 while booting, then ready even with an ordinary upstream down', async () => {
    const silent = {
      name: 'silent',
      type: 'stdio',
      connect_timeout: '1500ms',
      connection: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
    };
    const gw = await gateway({ proxy: { servers: [stdio('ok'), silent] } }, {}, true);
    const booting = await fetch(`${gw.baseUrl}/ready`);
    expect(booting.status).toBe(503);
    expect(await booting.json()).toMatchObject({ phase: 'starting', reasons: ['the gateway is starting'] });
    await gw.waitForLog(isReadyLine);
    const ready = await fetch(`${gw.baseUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(
      ((await ready.json()) as { upstreams: { name: string; state: string }[] }).upstreams.map((u) => [
        u.name,
        u.state,
      ]),
    ).toEqual([
      ['ok', 'ready'],
      ['silent', 'down'],
    ]);
  });

  it('is 503 while a required upstream is down, and names it', async () => {
    const gw = await gateway({
      proxy: {
        servers: [
          stdio('ok'),
          { name: 'vital', type: 'streamable-http', required: true, connection: { url: 'http://127.0.0.1:9/mcp' } },
        ],
      },
    });
    const response = await fetch(`${gw.baseUrl}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ phase: 'ready', reasons: ['required upstream "vital" is down'] });
  });
});

describe('an upstream that comes up after the gateway', () => {
  it('is connected by the reconnection backoff; its tools appear and clients are told', async () => {
    const port = await freePort();
    const gw = await gateway({
      proxy: {
        reconnect: { initial: '200ms', max: '500ms' },
        servers: [
          stdio('early'),
          { name: 'late', type: 'streamable-http', connection: { url: `http://127.0.0.1:${port}/mcp` } },
        ],
      },
    });
    const client = await connectClient(gw.mcpUrl);
    cleanup(() => client.close());
    expect((await client.listTools()).tools.some((t) => t.name.startsWith('late__'))).toBe(false);
    const changed = new Promise<void>((resolve) =>
      client.setNotificationHandler(ToolListChanged, async () => resolve()),
    );
    const late = await startFixtureHttp('late', port);
    cleanup(() => late.stop());
    await changed;
    expect(textOf(await client.callTool({ name: 'late__echo', arguments: { text: 'hi' } }))).toBe('late: hi');
  });
});
