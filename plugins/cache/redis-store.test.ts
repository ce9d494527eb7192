/**
 * The redis store against a real redis-server, as two replicas would use it (two clients): values
 * shared with their TTL, a forget (reconnection) seen by both at once, an in-flight save after a
 * forget never visible, and a forget that failed while Redis was down applied before any later use.
 */
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { connectRedis } from 'mcp-gateway/redis';
import { startRedis, type RedisServer } from '../../test/helpers/redis.ts';
import { RedisStore } from './redis-store.ts';
import { cleanupAfterEach } from '../../test/helpers/cleanup.ts';
import { itWith, redisServer } from '../../test/helpers/debian.ts';

const it = itWith("the cache's Redis store tests", redisServer);

const logger = pino({ level: 'silent' });
const cleanup = cleanupAfterEach();

async function redis(port?: number): Promise<RedisServer> {
  const server = await startRedis(port);
  cleanup(() => server.stop());
  return server;
}

async function connect(url: string) {
  return connectRedis({ url, key_prefix: 'test:', connect_timeout: 1000, command_timeout: 300 }, logger);
}

async function store(url: string): Promise<RedisStore> {
  const created = new RedisStore(await connect(url));
  cleanup(() => created.close());
  return created;
}

const value = async (s: RedisStore, server: string, hash: string) => (await s.lookup(server, hash)).value;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisStore', () => {
  it('shares values between replicas, each for its TTL', async () => {
    const server = await redis();
    const [a, b] = [await store(server.url), await store(server.url)];
    await (await a.lookup('alpha', 'h1')).save('{"x":1}', 200);
    expect(await value(b, 'alpha', 'h1')).toBe('{"x":1}');
    expect(await value(b, 'beta', 'h1')).toBeUndefined();
    await sleep(300);
    expect(await value(b, 'alpha', 'h1')).toBeUndefined();
  });

  it('forgets a server for every replica, and drops a save looked up before the forget', async () => {
    const server = await redis();
    const [a, b] = [await store(server.url), await store(server.url)];
    await (await a.lookup('alpha', 'h1')).save('"old"', 60_000);
    await (await a.lookup('beta', 'h1')).save('"kept"', 60_000);
    const inFlight = await b.lookup('alpha', 'h2');
    await a.forget('alpha');
    await inFlight.save('"from before"', 60_000);
    expect(await value(b, 'alpha', 'h1')).toBeUndefined();
    expect(await value(b, 'alpha', 'h2')).toBeUndefined();
    expect(await value(a, 'beta', 'h1')).toBe('"kept"');
    await (await b.lookup('alpha', 'h1')).save('"new"', 60_000);
    expect(await value(a, 'alpha', 'h1')).toBe('"new"');
  });

  it('after a forget that failed (Redis unreachable), fails lookups until the forget goes through', async () => {
    const server = await redis();
    const client = await connect(server.url);
    const a = new RedisStore(client);
    cleanup(() => a.close());
    const b = await store(server.url);
    await (await a.lookup('alpha', 'h1')).save('"old"', 60_000);
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.disconnect(); // this replica loses Redis; the data stays
    await expect(a.forget('alpha')).rejects.toThrow();
    await ended;
    await client.connect();
    expect(await value(b, 'alpha', 'h1')).toBe('"old"'); // the increment never reached Redis...
    expect(await value(a, 'alpha', 'h1')).toBeUndefined(); // ...so the next lookup makes it first
    expect(await value(b, 'alpha', 'h1')).toBeUndefined(); // for everyone
  });
});
