/**
 * The result cache in a real gateway (in-process, memory store) over real upstreams: three fixture
 * servers as stdio children, callers named by the test-only header-principal plugin. The fixture's
 * `counter` tool (read-only) answers `<server> call N for <key>`, N counting the calls that really
 * reached it: a cached answer repeats N. What the metrics plugin reports tells the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { openSession, rpc } from '../../test/helpers/in-process.ts';
import { headerPrincipalPlugin, stdioFixture } from '../../test/helpers/servers.ts';

const fastReconnect = { reconnect: { initial: '100ms', max: '200ms' } };

let gateway: TestGateway;
const sessions = new Map<string, string>();

beforeAll(async () => {
  gateway = await startTestGateway({
    config: {
      proxy: { servers: [stdioFixture('alpha', fastReconnect), stdioFixture('beta'), stdioFixture('gamma')] },
      cache: {
        rules: [
          { tools: 'alpha:counter', ttl: '1m' },
          { tools: 'beta:counter', ttl: '300ms' },
          { tools: 'alpha:echo', ttl: '1m' }, // annotated_only (the default): echo has no annotations
          { tools: ['beta:echo', 'beta:rich', 'beta:fail', 'alpha:add'], ttl: '1m', annotated_only: false },
          // gamma: no rule at all
        ],
      },
    },
    plugins: [headerPrincipalPlugin],
  });
});
afterAll(() => gateway?.close());

/** A session per caller (`anonymous`: no header, no principal). */
async function session(user: string): Promise<{ id: string; headers: Record<string, string> }> {
  const headers: Record<string, string> = user === 'anonymous' ? {} : { 'x-test-user': user };
  let id = sessions.get(user);
  if (!id) sessions.set(user, (id = await openSession(gateway, headers)));
  return { id, headers };
}

async function call(user: string, name: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { id, headers } = await session(user);
  const { message } = await rpc(gateway, id, 'tools/call', { name, arguments: args }, headers);
  if (!message.result) throw new Error(`${name} failed: ${JSON.stringify(message)}`);
  return message.result as Record<string, unknown>;
}

const textOf = (result: Record<string, unknown>) => (result.content as { text: string }[])[0]!.text;

/** The N of a `counter` answer. */
async function counter(
  user: string,
  server: string,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const text = textOf(await call(user, `${server}__counter`, { key, ...extra }));
  const match = new RegExp(`^${server} call (\\d+) for ${key}$`).exec(text);
  if (!match) throw new Error(`unexpected counter answer: ${text}`);
  return Number(match[1]);
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await gateway.request('/metrics');
  return parseExposition(await response.text()).value(name, labels);
}
const hits = (proxy: string, tool: string) => metric('mcp_gateway_cache_hits_total', { proxy, tool });
const misses = (proxy: string, tool: string) => metric('mcp_gateway_cache_misses_total', { proxy, tool });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the result cache', () => {
  it('answers the same caller from the cache (one real call), and another caller with a call of its own', async () => {
    const first = await counter('ada', 'alpha', 'same');
    expect(await counter('ada', 'alpha', 'same')).toBe(first);
    const bob = await counter('bob', 'alpha', 'same');
    expect(bob).toBe(first + 1);
    expect(await counter('bob', 'alpha', 'same')).toBe(bob);
    // Anonymous callers share one key of their own, never a user's.
    const anonymous = await counter('anonymous', 'alpha', 'same');
    expect(anonymous).toBe(bob + 1);
    expect(await counter('anonymous', 'alpha', 'same')).toBe(anonymous);
    expect(await counter('ada', 'alpha', 'same')).toBe(first);
    expect(await hits('alpha', 'counter')).toBeGreaterThanOrEqual(4);
  });

  it('calls again for other arguments, whatever the order of their keys', async () => {
    const a = await counter('ada', 'alpha', 'args', { x: 1, y: 2 });
    expect(await counter('ada', 'alpha', 'args', { y: 2, x: 1 })).toBe(a);
    expect(await counter('ada', 'alpha', 'args', { x: 1, y: 3 })).toBe(a + 1);
    expect(await counter('ada', 'alpha', 'other-key', { x: 1, y: 2 })).toBe(a + 2);
  });

  it('forgets a result once its rule TTL is over', async () => {
    const first = await counter('ada', 'beta', 'ttl');
    expect(await counter('ada', 'beta', 'ttl')).toBe(first);
    await sleep(400); // the rule's ttl is 300ms
    expect(await counter('ada', 'beta', 'ttl')).toBe(first + 1);
  });

  it('caches no tool that no rule matches', async () => {
    const first = await counter('ada', 'gamma', 'none');
    expect(await counter('ada', 'gamma', 'none')).toBe(first + 1);
    expect(await hits('gamma', 'counter')).toBe(0);
    expect(await misses('gamma', 'counter')).toBe(0);
  });

  it('caches an unannotated tool (echo) only under a rule with annotated_only: false', async () => {
    for (let i = 0; i < 2; i++) expect(textOf(await call('ada', 'alpha__echo', { text: 'hi' }))).toBe('alpha: hi');
    expect(await hits('alpha', 'echo')).toBe(0);
    expect(await misses('alpha', 'echo')).toBe(0); // not cacheable: not even looked up
    for (let i = 0; i < 2; i++) expect(textOf(await call('ada', 'beta__echo', { text: 'hi' }))).toBe('beta: hi');
    expect(await misses('beta', 'echo')).toBe(1);
    expect(await hits('beta', 'echo')).toBe(1);
  });

  it('never caches a tool error (isError)', async () => {
    for (let i = 0; i < 3; i++) expect(await call('ada', 'beta__fail')).toMatchObject({ isError: true });
    expect(await hits('beta', 'fail')).toBe(0);
    expect(await misses('beta', 'fail')).toBe(3);
  });

  it('returns a cached result exactly as the upstream sent it: _meta, annotations, unknown fields, structuredContent', async () => {
    const rich = await call('ada', 'beta__rich');
    expect(rich).toMatchObject({ _meta: { 'fixture/result': { ok: true } }, extraField: 'kept' });
    expect(await call('ada', 'beta__rich')).toEqual(rich);
    expect(await hits('beta', 'rich')).toBe(1);
    const sum = await call('ada', 'alpha__add', { a: 2, b: 3 });
    expect(sum).toEqual({ content: [{ type: 'text', text: '5' }], structuredContent: { sum: 5 } });
    expect(await call('ada', 'alpha__add', { b: 3, a: 2 })).toEqual(sum);
    expect(await hits('alpha', 'add')).toBe(1);
  });

  it("forgets a server's results when it reconnects (a new child process)", async () => {
    await counter('ada', 'alpha', 'warm-up'); // so that the cached N is at least 2: a new child starts at 1
    const before = await counter('ada', 'alpha', 'reconnect');
    expect(before).toBeGreaterThanOrEqual(2);
    expect(await counter('ada', 'alpha', 'reconnect')).toBe(before);
    await call('ada', 'beta__echo', { text: 'kept' });
    const betaHits = await hits('beta', 'echo');

    const connections = () => gateway.status().upstreams.find((u) => u.name === 'alpha')!.connections;
    expect(connections()).toBe(1);
    expect(textOf(await call('ada', 'alpha__exit'))).toBe('bye');
    const deadline = Date.now() + 15_000;
    while (!(gateway.status().upstreams.find((u) => u.name === 'alpha')!.state === 'ready' && connections() === 2)) {
      if (Date.now() > deadline)
        throw new Error(`alpha did not reconnect: ${JSON.stringify(gateway.status().upstreams)}`);
      await sleep(50);
    }

    expect(await counter('ada', 'alpha', 'reconnect')).toBe(1); // a real call, to the new child
    expect(await counter('ada', 'alpha', 'reconnect')).toBe(1); // and cached again
    // Another server keeps its results.
    expect(textOf(await call('ada', 'beta__echo', { text: 'kept' }))).toBe('beta: kept');
    expect(await hits('beta', 'echo')).toBe(betaHits + 1);
  });
});
