/**
 * The redis store with real processes: a real redis-server (startRedis) and gateways started by
 * the CLI (`--plugins header-principal.ts`: the caller is named by `x-test-user`), driven by the
 * SDK's client. Two gateways share one limit; Redis stopped mid-run lets calls through
 * (`on_store_error: open`) or refuses them at once (`closed`), counted and logged, never hanging;
 * a Redis that hangs (SIGSTOP) is given up on after the command timeout; when Redis is back,
 * limits apply again.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect } from 'vitest';
import { connectClient, textOf } from '../../test/helpers/client.ts';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { startGateway, type RunningGateway } from '../../test/helpers/processes.ts';
import { startRedis, type RedisServer } from '../../test/helpers/redis.ts';
import { headerPrincipalPlugin, stdioFixture } from '../../test/helpers/servers.ts';
import { cleanupAfterEach } from '../../test/helpers/cleanup.ts';
import { itWith, redisServer } from '../../test/helpers/debian.ts';

const it = itWith("the rate limits' Redis tests", redisServer);

const cleanup = cleanupAfterEach();

async function redis(port?: number): Promise<RedisServer> {
  const server = await startRedis(port);
  cleanup(() => server.stop());
  return server;
}

async function gateway(
  url: string,
  onStoreError: 'open' | 'closed',
  requests: number,
  commandTimeout = '500ms',
): Promise<RunningGateway> {
  const started = await startGateway({
    config: {
      proxy: { servers: [stdioFixture('alpha')] },
      rate_limit: {
        store: 'redis',
        redis: { url, command_timeout: commandTimeout },
        on_store_error: onStoreError,
        rules: [{ name: 'shared-calls', tools: 'alpha:*', requests, window: '1m' }],
      },
    },
    args: ['--plugins', headerPrincipalPlugin],
  });
  cleanup(() => started.stop());
  return started;
}

async function client(gw: RunningGateway, user: string): Promise<Client> {
  const connected = await connectClient(gw.mcpUrl, { headers: { 'x-test-user': user } });
  cleanup(() => connected.close());
  return connected;
}

const echo = (c: Client, text = 'hi') => c.callTool({ name: 'alpha__echo', arguments: { text } });

/** `ok`, `limited` or `unchecked` (the store could not be asked), and how long the call took. */
async function fate(c: Client): Promise<{ fate: 'ok' | 'limited' | 'unchecked'; ms: number }> {
  const started = Date.now();
  try {
    expect(textOf(await echo(c))).toBe('alpha: hi');
    return { fate: 'ok', ms: Date.now() - started };
  } catch (error) {
    const { code, message } = error as { code?: number; message?: string };
    expect(code).toBe(-32029);
    return { fate: message?.includes('could not be checked') ? 'unchecked' : 'limited', ms: Date.now() - started };
  }
}

async function storeErrors(gw: RunningGateway): Promise<Record<string, number>> {
  const metrics = parseExposition(await (await fetch(`${gw.baseUrl}/metrics`)).text());
  return metrics.series('mcp_gateway_rate_limit_store_errors_total');
}

/** Calls until `want` (with a pause between), the fates seen on the way. */
async function until(c: Client, want: 'ok' | 'limited', timeoutMs = 20_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { fate: got } = await fate(c);
    seen.push(got);
    if (got === want) return seen;
    if (Date.now() > deadline) throw new Error(`no "${want}" within ${timeoutMs} ms: ${seen.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('two gateways, one Redis', () => {
  it('share a limit: N calls across both pass, the next is refused on either; another caller is not affected', async () => {
    const store = await redis();
    const [one, two] = await Promise.all([gateway(store.url, 'open', 4), gateway(store.url, 'open', 4)]);
    const aliceOne = await client(one, 'alice');
    const aliceTwo = await client(two, 'alice');
    for (const c of [aliceOne, aliceTwo, aliceOne, aliceTwo]) expect((await fate(c)).fate).toBe('ok');
    await expect(echo(aliceOne)).rejects.toMatchObject({
      code: -32029,
      message: expect.stringMatching(/Rate limit "shared-calls" exceeded: 4 requests per 1m; retry after \d+ s$/),
      data: { limit: 'shared-calls', retryAfterMs: expect.any(Number) },
    });
    expect((await fate(aliceTwo)).fate).toBe('limited');
    expect((await fate(await client(two, 'bob'))).fate).toBe('ok');
    expect((await fate(await client(one, 'bob'))).fate).toBe('ok');
  });
});

describe('Redis stopped mid-run', () => {
  it('on_store_error open: calls go through, counted and logged once; limits apply again when it is back', async () => {
    const store = await redis();
    const gw = await gateway(store.url, 'open', 2);
    const alice = await client(gw, 'alice');
    expect([(await fate(alice)).fate, (await fate(alice)).fate, (await fate(alice)).fate]).toEqual([
      'ok',
      'ok',
      'limited',
    ]);

    await store.stop();
    const down = [await fate(alice), await fate(alice), await fate(alice)];
    expect(down.map((d) => d.fate)).toEqual(['ok', 'ok', 'ok']);
    for (const { ms } of down) expect(ms).toBeLessThan(1000);
    expect(await storeErrors(gw)).toEqual({ 'outcome="open"': 3, 'outcome="closed"': 0 });
    const warning = await gw.waitForLog(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('rate limit store unreachable'),
    );
    expect(warning).toMatchObject({
      plugin: 'rate-limit',
      level: 40,
      on_store_error: 'open',
      rate_limit: 'shared-calls',
    });
    expect(
      gw.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('rate limit store unreachable')),
    ).toHaveLength(1);

    await redis(store.port); // back, empty: the window starts again
    const seen = await until(alice, 'limited');
    expect(seen.slice(-3)).toEqual(['ok', 'ok', 'limited']);
    await gw.waitForLog((l) => l.msg === 'rate limit store answering again');
  });

  it('on_store_error closed: calls are refused at once, saying why; allowed again when it is back', async () => {
    const store = await redis();
    const gw = await gateway(store.url, 'closed', 2);
    const alice = await client(gw, 'alice');
    expect((await fate(alice)).fate).toBe('ok');

    await store.stop();
    await expect(echo(alice)).rejects.toMatchObject({
      code: -32029,
      message: expect.stringMatching(
        /^MCP error -32029: Rate limit "shared-calls" could not be checked \(its store is unreachable\); retry after 1 s$/,
      ),
      data: { limit: 'shared-calls', retryAfterMs: 1000 },
    });
    const down = [await fate(alice), await fate(alice)];
    expect(down.map((d) => d.fate)).toEqual(['unchecked', 'unchecked']);
    for (const { ms } of down) expect(ms).toBeLessThan(300);
    expect(await storeErrors(gw)).toEqual({ 'outcome="open"': 0, 'outcome="closed"': 3 });

    await redis(store.port);
    const seen = await until(alice, 'ok');
    expect(seen.slice(0, -1).every((f) => f === 'unchecked')).toBe(true); // refused until then, never let through
    expect([(await fate(alice)).fate, (await fate(alice)).fate]).toEqual(['ok', 'limited']);
  });

  it('a Redis that hangs (SIGSTOP) is given up on after the command timeout, not waited for', async () => {
    const store = await redis();
    const gw = await gateway(store.url, 'closed', 5, '200ms');
    const alice = await client(gw, 'alice');
    expect((await fate(alice)).fate).toBe('ok');

    store.child.kill('SIGSTOP');
    const hung = await fate(alice);
    expect(hung.fate).toBe('unchecked');
    expect(hung.ms).toBeLessThan(1000);
    store.child.kill('SIGCONT');
    await until(alice, 'ok');
  });
});
