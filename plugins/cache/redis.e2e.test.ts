/**
 * The redis store with real processes: a real redis-server (startRedis), ONE fixture MCP server
 * over Streamable HTTP (so that both gateways reach the same upstream process and its `counter`),
 * and TWO gateways started by the CLI (`--plugins header-principal.ts`: the caller is named by
 * `x-test-user`) sharing that Redis, driven by the SDK's client. A result cached through one
 * gateway is served by the other to the same caller only; Redis stopped or hung turns calls into
 * misses that still work, counted and logged once, never hanging; Redis back caches again.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect } from 'vitest';
import { connectClient, textOf } from '../../test/helpers/client.ts';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { startFixtureHttp, startGateway, type FixtureHttp, type RunningGateway } from '../../test/helpers/processes.ts';
import { startRedis, type RedisServer } from '../../test/helpers/redis.ts';
import { headerPrincipalPlugin, httpUpstream } from '../../test/helpers/servers.ts';
import { cleanupAfterEach } from '../../test/helpers/cleanup.ts';
import { itWith, redisServer } from '../../test/helpers/debian.ts';

const it = itWith("the cache's Redis tests", redisServer);

const cleanup = cleanupAfterEach();

async function redis(port?: number): Promise<RedisServer> {
  const server = await startRedis(port);
  cleanup(() => server.stop());
  return server;
}

async function fixture(): Promise<FixtureHttp> {
  const started = await startFixtureHttp('shared');
  cleanup(() => started.stop());
  return started;
}

async function gateway(redisUrl: string, upstreamUrl: string, commandTimeout = '500ms'): Promise<RunningGateway> {
  const started = await startGateway({
    config: {
      proxy: { servers: [httpUpstream('shared', upstreamUrl)] },
      cache: {
        store: 'redis',
        redis: { url: redisUrl, command_timeout: commandTimeout },
        rules: [{ tools: 'shared:counter', ttl: '1m' }],
      },
    },
    args: ['--plugins', headerPrincipalPlugin],
  });
  cleanup(() => started.stop('SIGKILL'));
  return started;
}

async function client(gw: RunningGateway, user: string): Promise<Client> {
  const connected = await connectClient(gw.mcpUrl, { headers: { 'x-test-user': user } });
  cleanup(() => connected.close());
  return connected;
}

/** The N of the shared fixture's `counter` answer, and how long the call took. */
async function counter(c: Client, key: string): Promise<{ n: number; ms: number }> {
  const started = Date.now();
  const text = textOf(await c.callTool({ name: 'shared__counter', arguments: { key } }));
  const match = new RegExp(`^shared call (\\d+) for ${key}$`).exec(text);
  if (!match) throw new Error(`unexpected counter answer: ${text}`);
  return { n: Number(match[1]), ms: Date.now() - started };
}
const n = async (c: Client, key: string) => (await counter(c, key)).n;

async function metrics(gw: RunningGateway) {
  return parseExposition(await (await fetch(`${gw.baseUrl}/metrics`)).text());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isStoreErrorLine = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('cache store error');

describe('two gateways sharing one Redis', () => {
  it('serve a result cached by one to the same caller through the other, never to another caller', async () => {
    const store = await redis();
    const upstream = await fixture();
    const [a, b] = await Promise.all([gateway(store.url, upstream.url), gateway(store.url, upstream.url)]);
    const [adaA, adaB, bobA, bobB] = await Promise.all([
      client(a, 'ada'),
      client(b, 'ada'),
      client(a, 'bob'),
      client(b, 'bob'),
    ]);

    const first = await n(adaA, 'weather');
    expect(await n(adaB, 'weather')).toBe(first); // cached by A, served by B: no real call
    expect(await n(adaA, 'weather')).toBe(first);
    const bob = await n(bobB, 'weather');
    expect(bob).toBe(first + 1); // another caller: a real call
    expect(await n(bobA, 'weather')).toBe(bob);
    expect(await n(adaB, 'other')).toBe(first + 2); // other arguments: a real call

    const [ma, mb] = await Promise.all([metrics(a), metrics(b)]);
    const labels = { proxy: 'shared', tool: 'counter' };
    expect(ma.value('mcp_gateway_cache_hits_total', labels) + mb.value('mcp_gateway_cache_hits_total', labels)).toBe(3);
    expect(
      ma.value('mcp_gateway_cache_misses_total', labels) + mb.value('mcp_gateway_cache_misses_total', labels),
    ).toBe(3);
    expect(mb.value('mcp_gateway_cache_store_errors_total')).toBe(0);
  });
});

describe('Redis unavailable', () => {
  it('stopped: calls still work as misses, at once, counted and logged once; cached again once Redis is back', async () => {
    const store = await redis();
    const upstream = await fixture();
    const gw = await gateway(store.url, upstream.url);
    const ada = await client(gw, 'ada');
    const cached = await n(ada, 'k');
    expect(await n(ada, 'k')).toBe(cached);

    await store.stop();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { n: value, ms } = await counter(ada, 'k');
      expect(ms).toBeLessThan(2000); // fail fast: no waiting for a connection
      seen.push(value);
    }
    expect(seen).toEqual([cached + 1, cached + 2, cached + 3, cached + 4]); // every call a real one
    expect((await metrics(gw)).value('mcp_gateway_cache_store_errors_total')).toBeGreaterThanOrEqual(4);
    await gw.waitForLog(isStoreErrorLine);
    expect(gw.logs.filter(isStoreErrorLine)).toHaveLength(1); // at most once a minute

    // Redis back on the same port (empty: it kept nothing): ioredis reconnects in the background.
    await redis(store.port);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const before = await n(ada, 'back');
      if ((await n(ada, 'back')) === before) break; // the second call was a hit: caching again
      if (Date.now() > deadline) throw new Error('the cache did not come back with Redis');
      await sleep(300);
    }
  });

  it('hung (SIGSTOP): a call waits at most the command timeout, then goes upstream', async () => {
    const store = await redis();
    const upstream = await fixture();
    const gw = await gateway(store.url, upstream.url, '200ms');
    const ada = await client(gw, 'ada');
    const cached = await n(ada, 'hang');
    expect(await n(ada, 'hang')).toBe(cached);

    store.child.kill('SIGSTOP');
    const { n: value, ms } = await counter(ada, 'hang');
    expect(value).toBe(cached + 1);
    expect(ms).toBeLessThan(1500);
    expect((await metrics(gw)).value('mcp_gateway_cache_store_errors_total')).toBeGreaterThanOrEqual(1);
  });
});
