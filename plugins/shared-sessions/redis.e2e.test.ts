/**
 * The shared session store with real processes: two gateways on one redis-server, reached
 * directly (no balancer) so that each step says which replica serves it. A session opened on one
 * is served by the other, a closed one is gone from both, a stopped replica leaves its sessions to
 * the other, and with Redis down each replica still serves the sessions it holds, never hanging.
 */
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { cleanupAfterEach } from '../../test/helpers/cleanup.ts';
import { connectClient, postOnSession, textOf } from '../../test/helpers/client.ts';
import { startFixtureHttp, startGateway, type FixtureHttp, type RunningGateway } from '../../test/helpers/processes.ts';
import { startRedis, type RedisServer } from '../../test/helpers/redis.ts';
import { httpUpstream } from '../../test/helpers/servers.ts';
import { itWith, redisServer } from '../../test/helpers/debian.ts';

const it = itWith("the shared sessions' Redis tests", redisServer);

const cleanup = cleanupAfterEach();

async function replica(redis: RedisServer, upstream: FixtureHttp, name: string): Promise<RunningGateway> {
  const gateway = await startGateway({
    config: {
      shared_sessions: { redis: { url: redis.url, command_timeout: '200ms' }, replica: name },
      proxy: { servers: [httpUpstream('alpha', upstream.url)] },
    },
  });
  cleanup(() => gateway.stop());
  return gateway;
}

/** A raw tools/call on a session, at one replica. */
async function call(
  gateway: RunningGateway,
  sessionId: string,
  text: string,
): Promise<{ status: number; body: string }> {
  const response = await postOnSession(
    gateway.mcpUrl,
    sessionId,
    { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'alpha__echo', arguments: { text } } },
    { signal: AbortSignal.timeout(5000) },
  );
  return { status: response.status, body: await response.text() };
}

/** How many sessions the upstream holds, asked through `gateway` on the client's session. */
async function upstreamSessions(gateway: RunningGateway, sessionId: string): Promise<number> {
  const response = await postOnSession(gateway.mcpUrl, sessionId, {
    jsonrpc: '2.0',
    id: 8,
    method: 'tools/call',
    params: { name: 'alpha__stats', arguments: {} },
  });
  const { result } = (await response.json()) as { result: { content: { text: string }[] } };
  return (JSON.parse(result.content[0]!.text) as { sessions: number }).sessions;
}

it('serves a session on another replica, forgets it everywhere once closed, and outlives the replica that opened it', async () => {
  const [redis, upstream] = await Promise.all([startRedis(), startFixtureHttp('alpha')]);
  cleanup(() => Promise.all([redis.stop(), upstream.stop()]));
  const [a, b] = await Promise.all([replica(redis, upstream, 'a'), replica(redis, upstream, 'b')]);

  const client = await connectClient(a.mcpUrl);
  const sessionId = client.transport!.sessionId!;
  expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: 'on a' } }))).toBe('alpha: on a');
  expect(await call(b, sessionId, 'on b')).toMatchObject({ status: 200, body: expect.stringContaining('alpha: on b') });
  // b continued the upstream session a opened for this client: the upstream holds each replica's
  // control session and that one, not a second one for b.
  expect(await upstreamSessions(b, sessionId)).toBe(3);

  // A graceful stop of the replica that opened it leaves the record, and the upstream session, to the other.
  await a.stop();
  expect(await call(b, sessionId, 'still')).toMatchObject({
    status: 200,
    body: expect.stringContaining('alpha: still'),
  });
  expect(await upstreamSessions(b, sessionId)).toBe(2);

  const ended = await fetch(b.mcpUrl, {
    method: 'DELETE',
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
  });
  expect(ended.status).toBe(200);
  expect((await call(b, sessionId, 'gone')).status).toBe(404);
});

it('keeps serving the sessions a replica holds while Redis is down, and shares new ones again once it is back', async () => {
  const [redis, upstream] = await Promise.all([startRedis(), startFixtureHttp('alpha')]);
  cleanup(() => upstream.stop());
  const [a, b] = await Promise.all([replica(redis, upstream, 'a'), replica(redis, upstream, 'b')]);
  const before = await connectClient(a.mcpUrl);
  cleanup(() => before.close());

  await redis.stop();
  const started = Date.now();
  expect(textOf(await before.callTool({ name: 'alpha__echo', arguments: { text: 'no redis' } }))).toBe(
    'alpha: no redis',
  );
  // A new session still opens, on this replica alone.
  const during = await connectClient(a.mcpUrl);
  cleanup(() => during.close());
  expect(textOf(await during.callTool({ name: 'alpha__echo', arguments: { text: 'local' } }))).toBe('alpha: local');
  expect((await call(b, during.transport!.sessionId!, 'elsewhere')).status).toBe(404);
  expect(Date.now() - started).toBeLessThan(4000);
  await a.waitForLog((line) => line.msg === 'session store unavailable; the session is served by this replica only');

  const back = await startRedis(redis.port);
  cleanup(() => back.stop());
  // Once both have reconnected (within ioredis's retry delay), a session opened on one is served by the other.
  await expect
    .poll(
      async () => {
        const after = await connectClient(a.mcpUrl);
        cleanup(() => after.close());
        return (await call(b, after.transport!.sessionId!, 'shared again')).body;
      },
      { timeout: 15_000, interval: 500 },
    )
    .toContain('alpha: shared again');
});

it('opens a new upstream session when the one it would continue is gone (the upstream restarted)', async () => {
  const redis = await startRedis();
  cleanup(() => redis.stop());
  const first = await startFixtureHttp('alpha');
  const [a, b] = await Promise.all([replica(redis, first, 'a'), replica(redis, first, 'b')]);
  const client = await connectClient(a.mcpUrl);
  cleanup(() => client.close());
  const sessionId = client.transport!.sessionId!;
  expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: 'before' } }))).toBe('alpha: before');
  // The record holds the upstream session, so b will try to continue it (not simply open its own).
  const redisClient = new Redis(redis.url);
  cleanup(() => void redisClient.disconnect());
  const recorded = async () =>
    (
      JSON.parse((await redisClient.hget(`mcp-gateway:session:${sessionId}:upstreams`, 'alpha')) ?? 'null') as {
        sessionId: string;
      } | null
    )?.sessionId;
  const before = await recorded();
  expect(before).toEqual(expect.any(String));

  // The same server comes back on the same port, knowing none of the old sessions.
  await first.stop();
  const again = await startFixtureHttp('alpha', first.port);
  cleanup(() => again.stop());
  await b.waitForLog(
    (line) => line.msg === 'upstream connected' && b.logs.filter((l) => l.msg === 'upstream connected').length >= 2,
    20_000,
  );
  expect(await call(b, sessionId, 'after')).toMatchObject({
    status: 200,
    body: expect.stringContaining('alpha: after'),
  });
  // It did: the continued session was refused, and a new one opened in its place.
  expect(await recorded()).toEqual(expect.any(String));
  expect(await recorded()).not.toBe(before);
});
