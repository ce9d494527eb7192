/**
 * Rules with `tools:`, in-process with the memory store, over two real stdio fixture servers
 * (`alpha`, `beta`): globs pick the `tools/call`s a rule counts, keys split its counters (per
 * principal or anonymous address, per server, per tool), several rules apply at once, and a
 * refused call is a JSON-RPC error inside the session (HTTP 200) naming the rule and the wait,
 * that never reaches the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { initializeBody, mcpHeaders, messagesOf } from '../../test/helpers/in-process.ts';
import { headerPrincipalPlugin, stdioFixture } from '../../test/helpers/servers.ts';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    config: {
      proxy: { servers: [stdioFixture('alpha'), stdioFixture('beta')] },
      rate_limit: {
        rules: [
          { name: 'counter-per-caller', tools: 'alpha:counter', requests: 2, window: '1m' },
          { name: 'add-per-server', tools: '*:add', requests: 2, window: '1m', key: ['server'] },
          {
            name: 'echo-per-tool',
            tools: ['alpha:echo', 'beta:echo', 'beta:rich'],
            requests: 1,
            window: '1m',
            key: ['tool'],
          },
          { name: 'stats-per-caller', tools: 'beta:stats', requests: 1, window: '1m' },
          { name: 'fail-minute', tools: 'alpha:fail', requests: 2, window: '1m' },
          { name: 'fail-hour', tools: '*:f*', requests: 3, window: '1h' },
        ],
      },
    },
    plugins: [headerPrincipalPlugin],
  });
});
afterAll(async () => {
  await gateway?.close();
});

interface Caller {
  readonly user?: string;
  readonly address?: string;
}

const headers = (caller: Caller, session?: string) =>
  mcpHeaders(session, caller.user ? { 'x-test-user': caller.user } : {});

async function post(caller: Caller, session: string | undefined, body: object): Promise<Response> {
  return gateway.request('/mcp', {
    method: 'POST',
    headers: headers(caller, session),
    body: JSON.stringify(body),
    remoteAddress: caller.address,
  });
}

async function session(caller: Caller): Promise<string> {
  const response = await post(caller, undefined, initializeBody());
  const id = response.headers.get('mcp-session-id')!;
  await response.text();
  expect((await post(caller, id, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
  return id;
}

type Answer = {
  status: number;
  result?: { content: { text: string }[] };
  error?: { code: number; message: string; data: Record<string, unknown> };
};

/** A client with its own session, calling tools as `caller`. */
async function client(caller: Caller) {
  const id = await session(caller);
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<Answer> => {
    const response = await post(caller, id, {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    const message = (await messagesOf(response)).find((m) => m.id === 9) as Omit<Answer, 'status'>;
    return { status: response.status, ...message };
  };
  /** `ok` for a result, else the rule that refused it. */
  const fate = async (name: string, args?: Record<string, unknown>) => {
    const answer = await call(name, args);
    return answer.result ? 'ok' : (answer.error?.data.limit as string);
  };
  return { call, fate };
}

describe('a refused tools/call', () => {
  it('is a JSON-RPC error in the session naming the rule and the wait; the upstream never sees it', async () => {
    const alice = await client({ user: 'alice' });
    expect((await alice.call('alpha__counter')).result!.content[0]!.text).toBe('alpha call 1 for ');
    expect((await alice.call('alpha__counter')).result!.content[0]!.text).toBe('alpha call 2 for ');
    const refused = await alice.call('alpha__counter');
    expect(refused.status).toBe(200);
    expect(refused.error).toEqual({
      code: -32029,
      message: expect.stringMatching(
        /^Rate limit "counter-per-caller" exceeded: 2 requests per 1m; retry after (59|60) s$/,
      ),
      data: {
        code: 'GW_ERR_RATE_LIMITED',
        plugin: 'rate-limit',
        limit: 'counter-per-caller',
        retryAfterMs: expect.any(Number),
      },
    });
    const retryAfterMs = refused.error!.data.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(58_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // Another principal: its own counter, and the upstream's count shows the refused call never ran.
    const bob = await client({ user: 'bob' });
    expect((await bob.call('alpha__counter')).result!.content[0]!.text).toBe('alpha call 3 for ');
    // Tools no rule matches, and other methods, are not limited.
    for (let i = 0; i < 5; i++) expect(await alice.fate('alpha__headers')).toBe('ok');
  });
});

describe('keys', () => {
  it('server: one counter per upstream, shared by every caller', async () => {
    const carol = await client({ user: 'carol' });
    const dave = await client({ user: 'dave' });
    expect(await carol.fate('alpha__add', { a: 1, b: 2 })).toBe('ok');
    expect(await dave.fate('alpha__add', { a: 1, b: 2 })).toBe('ok');
    expect(await dave.fate('alpha__add', { a: 1, b: 2 })).toBe('add-per-server');
    expect(await carol.fate('beta__add', { a: 1, b: 2 })).toBe('ok');
  });

  it('tool: one counter per tool of a server, shared by every caller', async () => {
    const erin = await client({ user: 'erin' });
    const frank = await client({ user: 'frank' });
    expect(await erin.fate('alpha__echo', { text: 'a' })).toBe('ok');
    expect(await erin.fate('beta__echo', { text: 'a' })).toBe('ok');
    expect(await erin.fate('beta__rich')).toBe('ok');
    expect(await frank.fate('alpha__echo', { text: 'a' })).toBe('echo-per-tool');
    expect(await frank.fate('beta__rich')).toBe('echo-per-tool');
  });

  it('principal: an anonymous caller is counted by its address, in every session', async () => {
    const first = await client({ address: '10.0.0.1' });
    const again = await client({ address: '10.0.0.1' });
    const other = await client({ address: '10.0.0.2' });
    expect(await first.fate('beta__stats')).toBe('ok');
    expect(await again.fate('beta__stats')).toBe('stats-per-caller');
    expect(await other.fate('beta__stats')).toBe('ok');
  });
});

describe('several rules', () => {
  it('count a call in each rule that matches; the longest wait is named', async () => {
    const gina = await client({ user: 'gina' });
    expect(await gina.fate('alpha__fail')).toBe('ok'); // a tool error is still a result
    expect(await gina.fate('alpha__fail')).toBe('ok');
    expect(await gina.fate('alpha__fail')).toBe('fail-minute'); // fail-hour is at 3 of 3
    const both = await gina.call('alpha__fail');
    expect(both.error?.data.limit).toBe('fail-hour');
    expect(both.error?.message).toMatch(
      /^Rate limit "fail-hour" exceeded: 3 requests per 1h; retry after 3[56]\d\d s$/,
    );
    expect(await gina.fate('beta__fail')).toBe('fail-hour'); // *:f* matches beta's too, per principal
  });
});

describe('metrics', () => {
  it('count refusals by rule, every rule present from the first check', async () => {
    const metrics = parseExposition(await (await gateway.request('/metrics')).text());
    expect(metrics.series('mcp_gateway_rate_limited_total')).toEqual({
      'rule="counter-per-caller"': 1,
      'rule="add-per-server"': 1,
      'rule="echo-per-tool"': 2,
      'rule="stats-per-caller"': 1,
      'rule="fail-minute"': 1,
      'rule="fail-hour"': 2,
    });
    // The gateway's own call metrics tell a refusal from an outage.
    const refused = Object.entries(metrics.series('mcp_gateway_tools_call_errors')).filter(([labels]) =>
      labels.includes('reason="rate_limited"'),
    );
    expect(refused.reduce((sum, [, value]) => sum + value, 0)).toBe(8);
  });
});
