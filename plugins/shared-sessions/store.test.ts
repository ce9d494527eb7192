/**
 * The session store contract, for the in-memory store and the Redis one (two connections to a
 * real redis-server, as two replicas): upstream sessions recorded at the same time by different
 * replicas are all kept, a takeover's write-back forgets none, and a gone record stays gone.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { SessionRecord, SessionStore, UpstreamSessionState } from '../../core/kernel/index.ts';
import { connectRedis, redisConnectionSchema } from '../../core/lib/redis.ts';
import { MemorySessionStore } from '../../core/engine/mcp/memory-session-store.ts';
import { startRedis, type RedisServer } from '../../test/helpers/redis.ts';
import { RedisSessionStore } from './store.ts';
import { itWith, redisServer } from '../../test/helpers/debian.ts';

const it = itWith("the session stores' Redis tests", redisServer);

const TTL_MS = 60_000;
let redis: RedisServer;
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.stop();
});

async function redisStore(): Promise<RedisSessionStore> {
  const connection = await connectRedis(redisConnectionSchema.parse({ url: redis.url }), pino({ level: 'silent' }));
  connections.push(connection);
  return new RedisSessionStore(connection);
}

const record = (id: string, upstreamSessions?: SessionRecord['upstreamSessions']): SessionRecord => ({
  id,
  subject: 'ada',
  protocolVersion: '2025-11-25',
  clientInfo: { name: 'client', version: '1' },
  clientCapabilities: {},
  createdAt: 1,
  ...(upstreamSessions && { upstreamSessions }),
});

const upstream = (sessionId: string): UpstreamSessionState => ({
  sessionId,
  initialize: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'up', version: '1' } },
});

const servers = Array.from({ length: 12 }, (_, i) => `server${i}`);

describe.each([
  {
    name: 'memory',
    replicas: () => {
      const store = new MemorySessionStore();
      return Promise.resolve([store, store] as SessionStore[]);
    },
  },
  { name: 'redis', replicas: () => Promise.all([redisStore(), redisStore()]) },
])('$name session store', ({ replicas }) => {
  it('keeps every upstream session that replicas record at the same time', async () => {
    const [one, two] = await replicas();
    const id = `concurrent-${Math.random()}`;
    await one!.set(record(id), TTL_MS);
    await Promise.all(
      servers.map((server, i) => (i % 2 ? one! : two!).rememberUpstream(id, server, upstream(`${server}-session`))),
    );
    const stored = await two!.get(id);
    expect(Object.keys(stored?.upstreamSessions ?? {}).sort()).toEqual([...servers].sort());
    expect(stored?.upstreamSessions?.server3).toEqual(upstream('server3-session'));
  });

  it('forgets no upstream session when a record is written back, and replaces one recorded again', async () => {
    const [one, two] = await replicas();
    const id = `write-back-${Math.random()}`;
    await one!.set(record(id, { alpha: upstream('a1') }), TTL_MS);
    const takenOver = (await two!.get(id))!;
    await one!.rememberUpstream(id, 'beta', upstream('b1'));
    await two!.set(takenOver, TTL_MS); // the takeover writes back what it read, without beta
    await two!.rememberUpstream(id, 'alpha', upstream('a2'));
    expect((await one!.get(id))?.upstreamSessions).toEqual({ alpha: upstream('a2'), beta: upstream('b1') });
  });

  it('records nothing for a session that is gone, and deletes its upstream sessions with it', async () => {
    const [one, two] = await replicas();
    const id = `gone-${Math.random()}`;
    await one!.rememberUpstream(id, 'alpha', upstream('a1'));
    expect(await two!.get(id)).toBeUndefined();
    await one!.set(record(id, { alpha: upstream('a1') }), TTL_MS);
    await two!.delete(id);
    await one!.set(record(id), TTL_MS);
    expect((await one!.get(id))?.upstreamSessions).toBeUndefined();
  });
});

it("redis: keeps a record's upstream sessions under the key prefix, expiring with the record", async () => {
  const store = await redisStore();
  const id = `ttl-${Math.random()}`;
  await store.set(record(id, { alpha: upstream('a1') }), 5_000);
  await store.rememberUpstream(id, 'beta', upstream('b1'));
  const raw = new Redis(redis.url);
  connections.push(raw);
  expect((await raw.hkeys(`mcp-gateway:session:${id}:upstreams`)).sort()).toEqual(['alpha', 'beta']);
  expect(await raw.pttl(`mcp-gateway:session:${id}:upstreams`)).toBeGreaterThan(4_000);
  expect(await raw.pttl(`mcp-gateway:session:${id}:upstreams`)).toBeLessThanOrEqual(5_000);
  // Pushed forward with the record (the store touches a record at most once per tenth of its TTL).
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(await raw.pttl(`mcp-gateway:session:${id}:upstreams`)).toBeLessThan(4_500);
  await store.expire(id, 5_000);
  expect(await raw.pttl(`mcp-gateway:session:${id}:upstreams`)).toBeGreaterThan(4_700);
  expect(await raw.pttl(`mcp-gateway:session:${id}`)).toBeGreaterThan(4_700);
});
