/**
 * The gateway heals itself: upstreams that die, crash or hang are marked down, reconnected with
 * backoff and used again, and upstreams that forget their sessions are taken up again at once,
 * with no gateway restart, no call left hanging, and no connections or sessions leaking along the way. Real processes throughout: the gateway
 * started by its CLI, fixture servers over Streamable HTTP and stdio, the SDK's client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../helpers/client.ts';
import { stdioFixture as stdio, httpUpstream as http } from '../helpers/servers.ts';

import {
  freePort,
  isAlive,
  startFixtureHttp,
  startGateway,
  stopChild,
  type FixtureHttp,
  type RunningGateway,
} from '../helpers/processes.ts';
import { cleanupAfterEach } from '../helpers/cleanup.ts';
import { parseExposition } from '../helpers/exposition.ts';
import { switchingProxy } from '../helpers/switching-proxy.ts';

const cleanup = cleanupAfterEach();

/** Small policy values, so that failures are noticed and healed within a test's time. */
const fastPolicy = {
  reconnect: { initial: '200ms', max: '500ms' },
  heartbeat: { interval: '1s', timeout: '500ms' },
};

async function fixture(name: string, port = 0): Promise<FixtureHttp> {
  const started = await startFixtureHttp(name, port);
  cleanup(() => started.stop());
  return started;
}

async function gateway(config: object): Promise<RunningGateway> {
  const started = await startGateway({ config });
  cleanup(() => started.stop());
  return started;
}

async function client(gw: RunningGateway): Promise<Client> {
  const connected = await connectClient(gw.mcpUrl);
  cleanup(() => connected.close());
  return connected;
}

interface Stats {
  pid: number;
  cancelled: number;
  sessions: number;
  connectionsAccepted: number;
  openConnections: number;
}

/** The fixture's counters, read through the gateway. */
async function stats(c: Client, server: string): Promise<Stats> {
  return JSON.parse(textOf(await c.callTool({ name: `${server}__stats`, arguments: {} }))) as Stats;
}

interface UpstreamStatus {
  name: string;
  state: string;
  connections: number;
  failures: number;
  error?: string;
}

async function upstreamStatus(gw: RunningGateway, name: string): Promise<UpstreamStatus> {
  const body = (await (await fetch(`${gw.baseUrl}/ready`)).json()) as { upstreams: UpstreamStatus[] };
  const found = body.upstreams.find((u) => u.name === name);
  if (!found) throw new Error(`/ready does not list ${name}: ${JSON.stringify(body)}`);
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `probe` until `done` accepts its value; fail with the last value seen once the deadline passes. */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}; last error: ${String(lastError)}`,
      );
    }
    await sleep(everyMs);
  }
}

const untilState = (gw: RunningGateway, name: string, done: (s: UpstreamStatus) => boolean, timeoutMs?: number) =>
  until(`upstream ${name} on /ready`, () => upstreamStatus(gw, name), done, timeoutMs);

/** Kill a process the test learnt about by pid (a fixture's real server, under tsx), in any case. */
function killLater(pid: number): void {
  cleanup(async () => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
}

/** SIGKILL the fixture's server process itself (tsx runs it as a child), and wait until it is gone. */
async function crash(server: FixtureHttp, pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(
    `fixture ${pid} to die`,
    async () => isAlive(pid),
    (a) => !a,
    5000,
    20,
  );
  await stopChild(server.child); // tsx's own process exits with its child
}

/** A rejection, with how long the promise took to settle. */
async function failure(promise: Promise<unknown>): Promise<{ error: Error & { code?: number }; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error: error as Error & { code?: number }, ms: Date.now() - started };
  }
  throw new Error('expected the promise to reject');
}

const toolNames = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);

describe('an HTTP upstream that dies', () => {
  it('fails the call in flight at once, stays live, serves the others, and reconnects when the server is back on its port', async () => {
    const port = await freePort();
    const first = await fixture('web', port);
    const gw = await gateway({ proxy: { ...fastPolicy, servers: [http('web', first.url), stdio('local')] } });
    const c = await client(gw);
    const { pid } = await stats(c, 'web');
    killLater(pid);
    // A tool only this process has: the catalogue must not keep it across the restart.
    await c.callTool({ name: 'web__add_tool', arguments: { name: 'ephemeral' } });
    await until(
      'web__ephemeral to be listed',
      () => toolNames(c),
      (names) => names.includes('web__ephemeral'),
    );

    const call = failure(c.callTool({ name: 'web__slow', arguments: { ms: 5000 } }));
    await sleep(500); // the call is on its way to the server (the error below proves it was in flight)
    const killedAt = Date.now();
    await crash(first, pid);
    const { error } = await call;
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(error.message).toMatch(
      /^MCP error -?\d+: upstream server "web": the upstream closed the connection while answering tools\/call/,
    );

    expect((await fetch(`${gw.baseUrl}/live`)).status).toBe(200);
    const down = await untilState(gw, 'web', (s) => s.state === 'down');
    expect(down.error).toBeTruthy();
    expect(textOf(await c.callTool({ name: 'local__echo', arguments: { text: 'still here' } }))).toBe(
      'local: still here',
    );
    expect(gw.child.exitCode).toBeNull();

    const second = await fixture('web', port);
    await untilState(gw, 'web', (s) => s.state === 'ready' && s.failures === 0);
    // The same client, whose upstream session the new server does not know: `add` is idempotent,
    // so the gateway opens a fresh session and retries without the client seeing anything.
    expect((await c.callTool({ name: 'web__add', arguments: { a: 2, b: 3 } })).structuredContent).toEqual({ sum: 5 });
    const other = await client(gw);
    expect(textOf(await other.callTool({ name: 'web__echo', arguments: { text: 'again' } }))).toBe('web: again');
    // The catalogue was read again from the new process: never stale across a reconnect.
    expect(await toolNames(other)).toContain('web__echo');
    expect(await toolNames(other)).not.toContain('web__ephemeral');
    const after = await stats(other, 'web');
    killLater(after.pid);
    expect(after.pid).not.toBe(pid);
    expect(second.child.exitCode).toBeNull();
    expect(gw.child.exitCode).toBeNull();
  });
});

describe('a stdio child that crashes', () => {
  it('is restarted with backoff: ready again on its second connection, a new process, calls work', async () => {
    const gw = await gateway({ proxy: { ...fastPolicy, servers: [stdio('kid')] } });
    const c = await client(gw);
    const before = await stats(c, 'kid');
    killLater(before.pid);
    expect(await upstreamStatus(gw, 'kid')).toMatchObject({ state: 'ready', connections: 1 });

    expect(textOf(await c.callTool({ name: 'kid__exit', arguments: {} }))).toBe('bye');
    const lost = await gw.waitForLog((l) => l.server === 'kid' && l.msg === 'upstream unavailable', 5000);
    // The first retry waits reconnect.initial (200 ms) give or take the 20 % jitter.
    expect(lost.retryInMs).toBeGreaterThanOrEqual(150);
    expect(lost.retryInMs).toBeLessThanOrEqual(250);
    await untilState(gw, 'kid', (s) => s.state === 'ready' && s.connections === 2);

    const after = await stats(c, 'kid');
    killLater(after.pid);
    expect(after.pid).not.toBe(before.pid);
    expect(isAlive(before.pid)).toBe(false);
    expect(textOf(await c.callTool({ name: 'kid__echo', arguments: { text: 'reborn' } }))).toBe('kid: reborn');
    expect(await upstreamStatus(gw, 'kid')).toMatchObject({ state: 'ready', connections: 2 });
  });
});

describe('a hung upstream', () => {
  it('is found by the heartbeat and replaced, and no call hangs past the request timeout', async () => {
    const timeoutMs = 2000;
    const hung = stdio('hung');
    const gw = await gateway({
      proxy: { ...fastPolicy, servers: [{ ...hung, connection: { ...hung.connection, timeout: `${timeoutMs}ms` } }] },
    });
    const c = await client(gw);
    const before = await stats(c, 'hung');
    killLater(before.pid);

    expect(textOf(await c.callTool({ name: 'hung__freeze', arguments: {} }))).toBe('freezing');
    await sleep(100); // the child stops answering 10 ms after this answer; nothing to observe but silence
    // A call made while the child is frozen: it times out, or fails at once once the heartbeat
    // has marked the server down; either way it ends within the request timeout.
    const { error, ms } = await failure(c.callTool({ name: 'hung__echo', arguments: { text: 'anyone?' } }));
    expect(ms).toBeLessThan(timeoutMs + 1000);
    // In flight when the heartbeat gave up: the pending call is failed with the connection.
    expect(error.message).toMatch(
      /upstream server "hung": connection to the upstream was lost|upstream server "hung" is down|upstream hung did not answer/,
    );

    const lost = await gw.waitForLog((l) => l.server === 'hung' && l.msg === 'upstream unavailable', 5000);
    expect(String(lost.error)).toMatch(/heartbeat failed/);
    await untilState(gw, 'hung', (s) => s.state === 'ready' && s.connections >= 2);
    const after = await stats(c, 'hung');
    killLater(after.pid);
    expect(after.pid).not.toBe(before.pid);
    expect(textOf(await c.callTool({ name: 'hung__echo', arguments: { text: 'hello' } }))).toBe('hung: hello');
    // The frozen child is not left behind.
    await until(
      `the frozen child ${before.pid} to be stopped`,
      async () => isAlive(before.pid),
      (a) => !a,
      8000,
    );
  });
});

describe('steady state', () => {
  it('keeps the upstream connection and session counts flat through heartbeats, re-discovery and calls', async () => {
    const flat = await fixture('flat');
    const gw = await gateway({
      proxy: { ...fastPolicy, rediscovery_interval: '200ms', servers: [http('flat', flat.url), stdio('steady')] },
    });
    const one = await client(gw);
    const two = await client(gw);
    const three = await client(gw); // connected, but never calls the HTTP server: no upstream session for it
    for (let i = 0; i < 3; i++) {
      await one.callTool({ name: 'flat__echo', arguments: { text: `one ${i}` } });
      await two.callTool({ name: 'flat__add', arguments: { a: i, b: 1 } });
      await three.callTool({ name: 'steady__echo', arguments: { text: `three ${i}` } });
    }
    const { pid } = await stats(one, 'flat');
    killLater(pid);
    await sleep(3000); // ~15 re-discoveries and 3 heartbeats
    const first = await stats(one, 'flat');
    await two.callTool({ name: 'flat__echo', arguments: { text: 'between' } });
    await sleep(1500);
    const second = await stats(two, 'flat');

    // Each upstream session holds a GET stream, and the keep-alive pool a few sockets for the
    // parallel list requests: a handful in all, reused by every heartbeat, re-discovery and call.
    // A connection per cycle would add ~10 between the readings; the pool may at most replace one
    // spare socket that the fixture closed after its 5 s keep-alive timeout.
    expect(first.connectionsAccepted).toBeLessThanOrEqual(12);
    expect(second.connectionsAccepted - first.connectionsAccepted).toBeLessThanOrEqual(1);
    // The control session, plus one per client that called the server.
    expect(first.sessions).toBe(3);
    expect(second.sessions).toBe(3);
    expect(await upstreamStatus(gw, 'flat')).toMatchObject({ state: 'ready', connections: 1, failures: 0 });
    expect(await upstreamStatus(gw, 'steady')).toMatchObject({ state: 'ready', connections: 1, failures: 0 });
  });
});

describe('when_down', () => {
  it("error: keeps a down server's tools listed and fails their calls at once naming it; hide (the default): lists them no more", async () => {
    const strict = await fixture('strict');
    const soft = await fixture('soft');
    const gw = await gateway({
      proxy: {
        ...fastPolicy,
        servers: [http('strict', strict.url, { when_down: 'error' }), http('soft', soft.url), stdio('other')],
      },
    });
    const c = await client(gw);
    const strictPid = (await stats(c, 'strict')).pid;
    const softPid = (await stats(c, 'soft')).pid;
    killLater(strictPid);
    killLater(softPid);
    const listed = await toolNames(c);
    expect(listed).toContain('strict__echo');
    expect(listed).toContain('soft__echo');

    await crash(strict, strictPid);
    await crash(soft, softPid);
    await untilState(gw, 'strict', (s) => s.state === 'down');
    await untilState(gw, 'soft', (s) => s.state === 'down');

    // hide: the tools go (the catalogue was rebuilt when the server went down).
    const names = await until(
      'soft__ tools to leave tools/list',
      () => toolNames(c),
      (n) => !n.some((t) => t.startsWith('soft__')),
    );
    expect(names).toContain('other__echo');

    // error: the call fails at once, with an error naming the server.
    const { error, ms } = await failure(c.callTool({ name: 'strict__echo', arguments: { text: 'x' } }));
    expect(ms).toBeLessThan(500);
    expect(error.message).toMatch(/"strict"/);
    expect(error.message).toMatch(/down/);

    // error: the tools stay listed.
    expect(names.filter((n) => n.startsWith('strict__')).sort()).toEqual(
      listed.filter((n) => n.startsWith('strict__')).sort(),
    );
  });
});

/** Tool calls made in loops by `clients` until `stop()`, each with when it ended and how. */
function load(clients: readonly Client[], calls: (c: Client, i: number) => Promise<unknown>) {
  const ended: { at: number; error?: string }[] = [];
  let running = true;
  const loops = clients.map(async (c) => {
    for (let i = 0; running; i++) {
      try {
        await calls(c, i);
        ended.push({ at: Date.now() });
      } catch (error) {
        ended.push({ at: Date.now(), error: (error as Error).message });
        await sleep(10); // a down server fails calls at once: no need to spin
      }
    }
  });
  return {
    ended,
    failures: (from = 0) => ended.filter((c) => c.at >= from && c.error),
    stop: () => ((running = false), Promise.all(loops)),
  };
}

describe('an HTTP upstream killed under load', () => {
  it('is down at once on /ready, in its status and metrics; back within one backoff period of its restart, with no failure after', async () => {
    const port = await freePort();
    let server = await fixture('hot', port);
    // The policy of the chaos runs; no heartbeat, so that only the connection tells.
    const reconnect = { initial: '200ms', max: '2s' };
    const gw = await gateway({
      proxy: { reconnect, heartbeat: { enabled: false }, servers: [http('hot', server.url)] },
    });
    const clients = [await client(gw), await client(gw), await client(gw)];
    const calls = load(clients, (c, i) => c.callTool({ name: 'hot__echo', arguments: { text: `${i}` } }));
    const detected: number[] = [];
    const back: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { pid } = await stats(clients[0]!, 'hot');
      killLater(pid);
      await sleep(300); // under load
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await until(
        '/ready to say the server is down',
        () => upstreamStatus(gw, 'hot'),
        (s) => s.state === 'down',
        5000,
        5,
      );
      detected.push(Date.now() - killedAt);
      const metrics = parseExposition(await (await fetch(`${gw.baseUrl}/metrics`)).text());
      expect(metrics.value('mcp_gateway_upstream_up', { proxy: 'hot' })).toBe(0);
      await stopChild(server.child);

      await sleep(500);
      server = await fixture('hot', port); // listening when this resolves
      const restartedAt = Date.now();
      const firstSuccess = await until(
        'a call to succeed again',
        async () => calls.ended.find((c) => c.at > restartedAt && !c.error),
        Boolean,
        10_000,
        10,
      );
      back.push(firstSuccess!.at - restartedAt);
      await sleep(1000); // under load again
      expect(calls.failures(firstSuccess!.at)).toEqual([]);
      expect(await upstreamStatus(gw, 'hot')).toMatchObject({ state: 'ready', failures: 0 });
    }
    await calls.stop();
    killLater((await stats(clients[0]!, 'hot')).pid);
    // Within ~200 ms (a loaded 2-core machine may take longer to poll than the gateway to notice).
    for (const ms of detected) expect(ms).toBeLessThan(1000);
    // One backoff period: reconnect.max with its 20 % jitter, plus the handshake and discovery.
    for (const ms of back) expect(ms).toBeLessThan(2400 + 1000);
  });
});

describe('an HTTP upstream without a GET stream that dies', () => {
  it('is down as soon as a per-client session finds its connection refused, with no heartbeat to tell', async () => {
    const server = await startFixtureHttp('quiet', 0, { FIXTURE_NO_GET_STREAM: '1' });
    cleanup(() => server.stop());
    const gw = await gateway({
      proxy: {
        reconnect: { initial: '200ms', max: '2s' },
        heartbeat: { enabled: false },
        servers: [http('quiet', server.url)],
      },
    });
    const c = await client(gw);
    const { pid } = await stats(c, 'quiet');
    killLater(pid);
    await crash(server, pid);
    // Neither the control session nor this client's has a stream that could break: the call is the first to know.
    expect((await upstreamStatus(gw, 'quiet')).state).toBe('ready');
    const { error } = await failure(c.callTool({ name: 'quiet__echo', arguments: { text: 'x' } }));
    expect(error.message).toMatch(/ECONNREFUSED/);
    const down = await until(
      '/ready to say the server is down',
      () => upstreamStatus(gw, 'quiet'),
      (s) => s.state === 'down',
      1000,
      10,
    );
    expect(down.error).toMatch(/ECONNREFUSED/);
  });
});

describe('an HTTP upstream that forgot every session', () => {
  // A blue/green switch behind a load balancer: the new server knows none of the sessions the
  // gateway holds. Either the cut GET streams find out first (a restart seen through the balancer),
  // or nothing has noticed when the next requests reach it with the old sessions.
  it.each([
    ['its GET streams are cut', false],
    ['nothing has noticed yet', true],
  ])(
    'is taken up without one failed call when %s, per-client and shared, never marked down',
    async (_, keepStreams) => {
      const [blue, green, sharedBlue, sharedGreen] = await Promise.all([
        fixture('lb'),
        fixture('lb'),
        fixture('lbs'),
        fixture('lbs'),
      ]);
      const front = await switchingProxy(blue.port, cleanup);
      const sharedFront = await switchingProxy(sharedBlue.port, cleanup);
      const gw = await gateway({
        proxy: {
          ...fastPolicy,
          servers: [http('lb', front.url), http('lbs', sharedFront.url, { upstream_sessions: 'shared' })],
        },
      });
      const clients = [await client(gw), await client(gw)];
      // echo is not idempotent: only the gateway's knowing that the server refused it makes a resend safe.
      const calls = load(clients, (c, i) =>
        c.callTool({ name: `${i % 2 ? 'lbs' : 'lb'}__echo`, arguments: { text: `${i}` } }),
      );
      const states = new Set<string>();
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const body = (await (await fetch(`${gw.baseUrl}/ready`)).json()) as { upstreams: UpstreamStatus[] };
          for (const u of body.upstreams) states.add(`${u.name}: ${u.state}`);
          await sleep(10);
        }
      })();
      await sleep(500);
      const before = await Promise.all([stats(clients[0]!, 'lb'), stats(clients[0]!, 'lbs')]);
      const switchedAt = Date.now();
      front.switchTo(green.port, { keepStreams });
      sharedFront.switchTo(sharedGreen.port, { keepStreams });
      // Past the 1 s heartbeat, which finds a forgotten control session when nothing else has.
      await sleep(2000);
      await calls.stop();
      polling = false;
      await poll;

      expect(calls.failures()).toEqual([]);
      expect(calls.ended.filter((c) => c.at > switchedAt + 100).length).toBeGreaterThan(20);
      expect([...states].sort()).toEqual(['lb: ready', 'lbs: ready']);
      expect(gw.logs.filter((l) => l.msg === 'upstream unavailable')).toEqual([]);
      // The new servers serve the sessions the gateway opened again: the control session, and one
      // per client in per-client mode; the shared server's one session serves both clients.
      const now = await Promise.all([stats(clients[0]!, 'lb'), stats(clients[0]!, 'lbs')]);
      for (const { pid } of [...before, ...now]) killLater(pid);
      expect(now[0]!.pid).not.toBe(before[0]!.pid);
      expect(now[1]!.pid).not.toBe(before[1]!.pid);
      expect(now.map((s) => s.sessions)).toEqual([3, 1]);
    },
  );
});

describe('an HTTP upstream that restarted unseen', () => {
  it('has its cached results forgotten once the gateway renews its control session', async () => {
    const [blue, green] = await Promise.all([fixture('lb'), fixture('lb')]);
    const front = await switchingProxy(blue.port, cleanup);
    const gw = await gateway({
      cache: { rules: [{ tools: 'lb:counter', ttl: '5m' }] },
      proxy: { ...fastPolicy, servers: [http('lb', front.url)] },
    });
    const c = await client(gw);
    const count = async (key: string) => textOf(await c.callTool({ name: 'lb__counter', arguments: { key } }));
    killLater((await stats(c, 'lb')).pid);
    await count('a');
    expect(await count('b')).toBe('lb call 2 for b');
    expect(await count('b')).toBe('lb call 2 for b'); // from the cache
    // The old server stays up with its streams: only the heartbeat, on the new one, finds the control session forgotten.
    front.switchTo(green.port, { keepStreams: true });
    await gw.waitForLog((line) => line.msg === 'upstream reconnected: its cached results are forgotten', 5000);
    expect(await count('b')).toBe('lb call 1 for b');
    killLater((await stats(c, 'lb')).pid);
    expect((await upstreamStatus(gw, 'lb')).state).toBe('ready');
  });
});

describe('client cancellation', () => {
  it('reaches the upstream over HTTP and over stdio', async () => {
    const web = await fixture('web');
    const gw = await gateway({ proxy: { ...fastPolicy, servers: [http('web', web.url), stdio('local')] } });
    const c = await client(gw);
    for (const server of ['web', 'local']) {
      const before = await stats(c, server);
      killLater(before.pid);
      expect(before.cancelled).toBe(0);
      const controller = new AbortController();
      const call = failure(
        c.callTool({ name: `${server}__slow`, arguments: { ms: 5000 } }, undefined, { signal: controller.signal }),
      );
      await sleep(300);
      controller.abort();
      const { error, ms } = await call;
      expect(ms).toBeLessThan(1000);
      expect(String(error.name) + String(error.message)).toMatch(/abort/i);
      await until(
        `${server}'s stats.cancelled to be 1`,
        () => stats(c, server),
        (s) => s.cancelled === 1,
        4000,
      );
    }
  });
});
