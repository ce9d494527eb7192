/**
 * Three gateway processes behind a real nginx (round robin, no sticky sessions) with a real
 * redis-server: one SDK client runs a whole session whose requests land on different replicas
 * (listing, calls, a sampling round trip whose answer reaches another replica than the one that
 * asked, list_changed and resources/updated notifications), and goes on without re-initializing
 * when the replica holding its GET stream dies. A 2026-07-28 call that asked for input is
 * continued by the replica holding it when the retry reaches another.
 */
import {
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  ResourceUpdatedNotificationSchema as ResourceUpdated,
  ToolListChangedNotificationSchema as ToolListChanged,
} from '@modelcontextprotocol/sdk/types.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Redis } from 'ioredis';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectClient, postOnSession, textOf } from '../helpers/client.ts';
import { messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';
import type { Nginx } from '../../scripts/nginx.ts';
import {
  nginxInFrontOf,
  stopReplicas,
  startFixtureHttp,
  startGateway,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { httpUpstream } from '../helpers/servers.ts';
import { itWith, nginxServer, redisServer } from '../helpers/debian.ts';

const it = itWith('the replicas tests', redisServer, nginxServer);

let redis: RedisServer;
let fixture: FixtureHttp;
let replicas: RunningGateway[];
let nginx: Nginx;

beforeAll(async () => {
  [redis, fixture] = await Promise.all([startRedis(), startFixtureHttp('alpha')]);
  const config = {
    shared_sessions: { redis: { url: redis.url } },
    proxy: { servers: [httpUpstream('alpha', fixture.url)] },
  };
  replicas = await Promise.all(
    [1, 2, 3].map((n) =>
      startGateway({ config: { ...config, shared_sessions: { ...config.shared_sessions, replica: `r${n}` } } }),
    ),
  );
  nginx = await nginxInFrontOf(replicas);
});

afterAll(async () => {
  await stopReplicas(nginx, replicas);
  await Promise.all([redis?.stop(), fixture?.stop()]);
});

/** Which replicas logged operations of this session. */
const servedBy = (sessionId: string | undefined) =>
  replicas.flatMap((replica, i) =>
    replica.logs.some((line) => line.msg === 'mcp operation' && line.session_id === sessionId) ? [`r${i + 1}`] : [],
  );

/** A request on a session, sent to one replica directly (not through nginx). */
const post = (replica: RunningGateway, sessionId: string, body: object) =>
  postOnSession(replica.mcpUrl, sessionId, body);

const endSession = (replica: RunningGateway, sessionId: string) =>
  fetch(replica.mcpUrl, {
    method: 'DELETE',
    headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
  });

/** Each replica's answer status to a tools/list on the session. */
const statuses = (sessionId: string, on = replicas) =>
  Promise.all(
    on.map(
      async (replica) => (await post(replica, sessionId, { jsonrpc: '2.0', id: 'probe', method: 'tools/list' })).status,
    ),
  );

/** The upstream's open sessions (the replicas' control sessions, the clients', and this probe's own). */
async function upstreamSessions(): Promise<number> {
  const probe = await connectClient(fixture.url);
  try {
    return (JSON.parse(textOf(await probe.callTool({ name: 'stats', arguments: {} }))) as { sessions: number })
      .sessions;
  } finally {
    await (probe.transport as StreamableHTTPClientTransport).terminateSession();
    await probe.close();
  }
}

/** A client session through nginx that every replica has served (round robin: six calls reach each). */
async function sessionOnEveryReplica(): Promise<{ client: Client; sessionId: string }> {
  const client = await connectClient(`${nginx.url}/mcp`);
  const sessionId = client.transport!.sessionId!;
  for (let i = 0; i < 6; i++)
    expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: `n${i}` } }))).toBe(`alpha: n${i}`);
  expect(servedBy(sessionId)).toEqual(['r1', 'r2', 'r3']);
  return { client, sessionId };
}

it('ends a session DELETEd on one replica on every replica at once, and the upstream sessions it owned', async () => {
  const before = await upstreamSessions();
  const { client, sessionId } = await sessionOnEveryReplica();
  expect(await upstreamSessions()).toBeGreaterThan(before);

  expect((await endSession(replicas[0]!, sessionId)).status).toBe(200);
  // The very next request, on each replica: every copy is gone, none waits for a sweep.
  expect(await statuses(sessionId)).toEqual([404, 404, 404]);
  expect(await upstreamSessions()).toBe(before);
  await client.close();
});

it('closes the upstream session another replica opened, even while that replica is frozen; the frozen one refuses the session once it runs again', async () => {
  const [ender, opener] = [replicas[0]!, replicas[1]!];
  const client = await connectClient(opener.mcpUrl);
  const sessionId = client.transport!.sessionId!;
  expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: 'x' } }))).toBe('alpha: x');
  const before = await upstreamSessions();
  opener.child.kill('SIGSTOP');
  try {
    expect((await endSession(ender, sessionId)).status).toBe(200);
    expect(await upstreamSessions()).toBe(before - 1);
  } finally {
    opener.child.kill('SIGCONT');
  }
  expect(await statuses(sessionId, [opener, ender])).toEqual([404, 404]);
  await client.close();
});

it('refuses a session ended while a replica was cut off from the bus, at its next use there', async () => {
  const [ender, cutOff] = [replicas[0]!, replicas[2]!];
  const { client, sessionId } = await sessionOnEveryReplica();
  const admin = new Redis(redis.url);
  try {
    const busConnection = async () =>
      ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string)
        .split('\n')
        .find((line) => line.includes(' name=mcp-gateway-bus:r3 '));
    const id = /\bid=(\d+)/.exec((await busConnection())!)![1]!;
    // r3's subscription drops; ioredis reconnects it after a moment: the announcement goes out in between.
    await admin.call('CLIENT', 'KILL', 'ID', id);
    expect((await endSession(ender, sessionId)).status).toBe(200);
    await expect
      .poll(async () => /\bid=(\d+)/.exec((await busConnection()) ?? '')?.[1], { timeout: 10_000 })
      .not.toBe(id);
    await expect
      .poll(
        () => cutOff.logs.some((line) => typeof line.msg === 'string' && line.msg.startsWith('replicas channel back')),
        { timeout: 5000 },
      )
      .toBe(true);
  } finally {
    admin.disconnect();
  }
  expect(await statuses(sessionId, [cutOff])).toEqual([404]);
  expect(
    cutOff.logs.some(
      (line) =>
        line.msg === 'session ended on another replica while the replicas channel was cut off' &&
        line.session === sessionId,
    ),
  ).toBe(true);
  await client.close();
});

it('records and announces an end that Redis could not take when it happened, once Redis is back', async () => {
  const [ender, holder] = [replicas[0]!, replicas[1]!];
  const { client, sessionId } = await sessionOnEveryReplica();
  const admin = new Redis(redis.url);
  try {
    // Every replica's command connection drops (their pub/sub ones stay): until ioredis
    // reconnects, a moment later, their commands fail at once.
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect((await endSession(ender, sessionId)).status).toBe(200);
    expect(
      ender.logs.some(
        (line) =>
          line.session === sessionId &&
          typeof line.msg === 'string' &&
          line.msg.startsWith('session store unavailable: the session'),
      ),
    ).toBe(true);
    await expect.poll(() => statuses(sessionId, [holder]), { timeout: 8000, interval: 250 }).toEqual([404]);
    expect(await admin.exists(`mcp-gateway:session:${sessionId}`)).toBe(0);
  } finally {
    admin.disconnect();
  }
  await client.close();
});

it('serves one session from every replica, sampling and list_changed included, and survives losing one', async () => {
  const logged = replicas.map((replica) => replica.logs.length);
  const client = await connectClient(`${nginx.url}/mcp`, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    role: 'assistant',
    model: 'test-model',
    content: {
      type: 'text',
      text: `from the client: ${(request.params.messages[0]!.content as { text: string }).text}`,
    },
  }));
  const sessionId = client.transport?.sessionId;
  expect(sessionId).toBeDefined();

  expect((await client.listTools()).tools.some((tool) => tool.name === 'alpha__echo')).toBe(true);
  for (let i = 0; i < 6; i++)
    expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: `n${i}` } }))).toBe(`alpha: n${i}`);
  expect(servedBy(sessionId)).toEqual(['r1', 'r2', 'r3']);

  // The sampling request goes out on the answer stream of one replica; the client's answer is a
  // new POST, which round robin sends to the next one.
  for (let i = 0; i < 3; i++) {
    expect(textOf(await client.callTool({ name: 'alpha__sample', arguments: { prompt: `p${i}` } }))).toBe(
      `sampled: from the client: p${i}`,
    );
  }
  const forwarded = replicas.flatMap((replica) =>
    replica.logs.filter((line) => line.msg === 'answer sent on to the replica that asked'),
  );
  expect(forwarded.length).toBeGreaterThan(0);

  const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChanged, async () => resolve()));
  await client.callTool({ name: 'alpha__add_tool', arguments: { name: 'fresh' } });
  await changed;
  await expect
    .poll(async () => (await client.listTools()).tools.some((tool) => tool.name === 'alpha__fresh'))
    .toBe(true);

  // A subscription made on one replica, an update announced while another serves the call, and
  // the notification delivered on the GET stream, wherever that is held.
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdated, async (notification) => void updates.push(notification.params.uri));
  await client.subscribeResource({ uri: 'alpha://readme' });
  await client.callTool({ name: 'alpha__touch', arguments: { uri: 'alpha://readme' } });
  await expect.poll(() => updates, { timeout: 5000 }).toEqual(['alpha://readme']);

  // The replica holding the client's GET stream dies (no goodbye). The client goes on, same
  // session, no new initialize; it reopens its GET stream on another replica (resuming from an
  // event that replica never issued), where the next list_changed reaches it.
  const holder = replicas.find((replica) =>
    replica.logs.some(
      (line) =>
        line.msg === 'http request' && line.method === 'GET' && line.session_id === sessionId && line.status === 200,
    ),
  )!;
  expect(holder).toBeDefined();
  holder.child.kill('SIGKILL');
  await holder.exited;
  for (let i = 0; i < 6; i++)
    expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: `after${i}` } }))).toBe(
      `alpha: after${i}`,
    );
  expect(textOf(await client.callTool({ name: 'alpha__sample', arguments: { prompt: 'late' } }))).toBe(
    'sampled: from the client: late',
  );
  const survivors = replicas.filter((replica) => replica !== holder);
  await expect
    .poll(
      () =>
        survivors.some((replica) =>
          replica.logs.some(
            (line) =>
              line.msg === 'http request' &&
              line.method === 'GET' &&
              line.session_id === sessionId &&
              line.status === 200,
          ),
        ),
      { timeout: 15_000 },
    )
    .toBe(true);
  const changedAgain = new Promise<void>((resolve) =>
    client.setNotificationHandler(ToolListChanged, async () => resolve()),
  );
  await client.callTool({ name: 'alpha__add_tool', arguments: { name: 'fresher' } });
  await changedAgain;
  expect(client.transport?.sessionId).toBe(sessionId);
  const initializes = replicas.flatMap((replica, i) =>
    replica.logs
      .slice(logged[i])
      .filter((line) => line.msg === 'http request' && line.method === 'POST' && line.session_id === undefined),
  );
  expect(initializes).toHaveLength(1);
  await client.close();
});

it('refuses a session id the store does not know, on every replica', async () => {
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${nginx.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'no-such-session',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
  }
});

it('relays a request an upstream sends outside any call (roots/list after a change of roots) to the client, and its answer back, across replicas', async () => {
  const client = await connectClient(`${nginx.url}/mcp`, { capabilities: { roots: { listChanged: true } } });
  let roots = ['file:///one'];
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: roots.map((uri) => ({ uri })) }));
  // Each live replica opens its link to the client's upstream session; one of them holds the upstream's GET stream.
  for (let i = 0; i < 4; i++) await client.callTool({ name: 'alpha__echo', arguments: { text: `warm${i}` } });
  // The upstream asks on its GET stream, through whichever replica holds it; the client's GET
  // stream and the POST with its answer may each be on another one.
  for (const next of [['file:///two'], ['file:///three', 'file:///four'], ['file:///five']]) {
    roots = next;
    await client.sendRootsListChanged();
    await expect
      .poll(
        async () =>
          JSON.parse(textOf(await client.callTool({ name: 'alpha__roots_after_change', arguments: {} }))) as unknown,
        { timeout: 8000 },
      )
      .toEqual(next);
  }
  await client.close();
});

it('continues a 2026-07-28 call that asked for input on the replica holding it, whichever replica the retry reaches', async () => {
  // An earlier test stopped one of them.
  const [asked, retried] = replicas.filter((replica) => replica.child.exitCode === null && !replica.child.signalCode);
  if (!asked || !retried) throw new Error('two replicas should still run');
  const on = (replica: RunningGateway) => ({
    request: (path: string, init?: RequestInit) => fetch(new URL(path, replica.mcpUrl), init),
  });
  const call = async (replica: RunningGateway, extra: Record<string, unknown> = {}) => {
    const params = { name: 'alpha__elicit', arguments: { message: 'Your name?' }, ...extra };
    const [message] = await messagesOf(await modernRequest(on(replica), 'tools/call', params, {}, elicits));
    return message as { result?: Record<string, unknown>; error?: { message: string } };
  };
  const elicits = { elicitation: { form: {} } };
  const first = (await call(asked)).result!;
  expect(first.resultType).toBe('input_required');
  const [key, request] = Object.entries(first.inputRequests as Record<string, { method: string }>)[0]!;
  expect(request.method).toBe('elicitation/create');
  // The other replica verifies the state (the replicas share its key through Redis) and has the
  // replica holding the upstream call continue it.
  const done = await call(retried, {
    inputResponses: { [key]: { action: 'accept', content: { name: 'Ada' } } },
    requestState: first.requestState,
  });
  expect(JSON.parse((done.result!.content as { text: string }[])[0]!.text)).toEqual({
    action: 'accept',
    content: { name: 'Ada' },
  });
  // The round it served is over: the same state again is refused, on either replica.
  for (const replica of [asked, retried])
    expect((await call(replica, { inputResponses: {}, requestState: first.requestState })).error?.message).toContain(
      'no longer current',
    );
});
