/**
 * Rules without `tools:`, in-process with the memory store: every HTTP request to /mcp counts
 * (initialize and notifications included), per principal (set by the test-only header-principal
 * plugin, loaded after rate-limit: the hook still runs after it) or per IP address when anonymous,
 * and an exceeded limit answers 429 with `Retry-After` and a JSON-RPC error naming the rule.
 */
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { initializeBody, mcpHeaders, openSession } from '../../test/helpers/in-process.ts';
import { freePort } from '../../test/helpers/processes.ts';
import { headerPrincipalPlugin } from '../../test/helpers/servers.ts';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const config = (rateLimit: Record<string, unknown>) => ({ rate_limit: rateLimit });

const start = async (rateLimit: Record<string, unknown>) =>
  (gateway = await startTestGateway({ config: config(rateLimit), plugins: [headerPrincipalPlugin] }));

/** An initialize POSTed to /mcp, as `user` (anonymous without), from the TCP peer `address`. */
async function initialize(
  options: { user?: string; address?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = mcpHeaders(undefined, { ...(options.user && { 'x-test-user': options.user }), ...options.headers });
  const init = { method: 'POST', headers, body: JSON.stringify(initializeBody()), remoteAddress: options.address };
  return gateway!.request('/mcp', init);
}

/** Statuses of `n` initializes. */
async function statuses(n: number, options: Parameters<typeof initialize>[0] = {}): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const response = await initialize(options);
    await response.text();
    seen.push(response.status);
  }
  return seen;
}

describe('per principal', () => {
  it('answers 429 with Retry-After and a JSON-RPC error naming the rule, for that caller only', async () => {
    await start({ rules: [{ name: 'per-caller', requests: 4, window: '1m' }] });
    const alice = { 'x-test-user': 'alice' };
    const session = await openSession(gateway!, alice); // initialize + notifications/initialized: 2
    const ping = () =>
      gateway!.request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(session, alice),
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    for (let i = 0; i < 2; i++) expect((await ping()).status).toBe(200); // 4
    const refused = await ping();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { data: { retryAfterMs: number } } };
    expect(body).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32029,
        message: `Rate limit "per-caller" exceeded: 4 requests per 1m; retry after ${retryAfter} s`,
        data: { limit: 'per-caller', retryAfterMs: expect.any(Number) },
      },
    });
    expect(Math.ceil(body.error.data.retryAfterMs / 1000)).toBe(retryAfter);
    // Another principal has a counter of its own; routes other than /mcp are never counted.
    expect(await statuses(4, { user: 'bob' })).toEqual([200, 200, 200, 200]);
    for (let i = 0; i < 5; i++) expect((await gateway!.request('/live')).status).toBe(200);
    expect((await initialize({ user: 'alice' })).status).toBe(429);

    const metrics = parseExposition(await (await gateway!.request('/metrics')).text());
    expect(metrics.value('mcp_gateway_rate_limited_total', { rule: 'per-caller' })).toBe(2);
    expect(metrics.series('mcp_gateway_rate_limit_store_errors_total')).toEqual({
      'outcome="open"': 0,
      'outcome="closed"': 0,
    });
  });
});

describe('anonymous callers', () => {
  it('are counted by the address of the TCP peer (IPv4-mapped IPv6 is the same caller)', async () => {
    await start({ rules: [{ name: 'per-caller', requests: 2, window: '1m' }] });
    expect(await statuses(3, { address: '10.0.0.1' })).toEqual([200, 200, 429]);
    expect(await statuses(2, { address: '10.0.0.2' })).toEqual([200, 200]);
    expect(await statuses(1, { address: '::ffff:10.0.0.2' })).toEqual([429]);
    // X-Forwarded-For is ignored without trust_proxy: a client cannot pick its own counter.
    expect(await statuses(1, { address: '10.0.0.1', headers: { 'x-forwarded-for': '10.9.9.9' } })).toEqual([429]);
    // An authenticated caller from that address is counted as itself.
    expect(await statuses(2, { address: '10.0.0.1', user: 'carol' })).toEqual([200, 200]);
  });

  it('with trust_proxy, are counted by the last X-Forwarded-For entry, whatever the client put before it', async () => {
    await start({ trust_proxy: true, rules: [{ name: 'per-caller', requests: 1, window: '1m' }] });
    const proxy = '172.16.0.1';
    expect(await statuses(1, { address: proxy, headers: { 'x-forwarded-for': '203.0.113.7' } })).toEqual([200]);
    expect(await statuses(1, { address: proxy, headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' } })).toEqual([
      429,
    ]);
    expect(await statuses(1, { address: proxy, headers: { 'x-forwarded-for': '203.0.113.8' } })).toEqual([200]);
    // Junk is not an address: the request counts against the proxy's own address.
    expect(await statuses(2, { address: proxy, headers: { 'x-forwarded-for': 'not-an-ip' } })).toEqual([200, 429]);
  });

  it('with trust_proxy: 2, take the second entry from the end (two proxies in front)', async () => {
    await start({ trust_proxy: 2, rules: [{ name: 'per-caller', requests: 1, window: '1m' }] });
    expect(
      await statuses(2, { address: '172.16.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 10.1.1.1' } }),
    ).toEqual([200, 429]);
    expect(
      await statuses(1, { address: '172.16.0.1', headers: { 'x-forwarded-for': '198.51.100.2, 10.1.1.1' } }),
    ).toEqual([200]);
  });
});

describe('bursts and several rules', () => {
  it('lets a burst through on top of the rate, refilled on its own window', async () => {
    await start({ rules: [{ name: 'steady', requests: 2, window: '1m', burst: { requests: 2, window: '1s' } }] });
    expect(await statuses(5, { user: 'dana' })).toEqual([200, 200, 200, 200, 429]);
    const refused = await initialize({ user: 'dana' });
    expect(Number(refused.headers.get('retry-after'))).toBe(1); // the burst window ends first
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /^Rate limit "steady" exceeded: 2 requests per 1m \(plus a burst of 2 requests per 1s\); retry after 1 s$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await statuses(3, { user: 'dana' })).toEqual([200, 200, 429]);
  });

  it('counts a request in every rule; any rule over its limit refuses, naming the longest wait', async () => {
    await start({
      rules: [
        { name: 'per-minute', requests: 2, window: '1m' },
        { name: 'per-hour', requests: 3, window: '1h' },
        { name: 'everyone', requests: 100, window: '1m', key: [] },
      ],
    });
    const first = await statuses(3, { user: 'erin' });
    expect(first).toEqual([200, 200, 429]);
    const byMinute = await initialize({ user: 'erin' }); // 4th: both per-minute and per-hour are over
    expect(byMinute.status).toBe(429);
    expect(((await byMinute.json()) as { error: { data: { limit: string } } }).error.data.limit).toBe('per-hour');
    expect(Number(byMinute.headers.get('retry-after'))).toBeGreaterThan(3500);
    // The shared rule counted every request, refused or not, from every caller.
    expect(await statuses(96, { user: 'frank' }).then((s) => s.filter((x) => x === 200).length)).toBe(2);
    const shared = await initialize({ user: 'gina' });
    expect(((await shared.json()) as { error: { data: { limit: string } } }).error.data.limit).toBe('everyone');
  });
});

describe('a Redis that is not there', () => {
  const unreachable = async (onStoreError: 'open' | 'closed') =>
    start({
      store: 'redis',
      redis: { url: `redis://127.0.0.1:${await freePort()}` },
      on_store_error: onStoreError,
      rules: [{ name: 'per-caller', requests: 1, window: '1m' }],
    });

  it('closed: 503 with Retry-After: 1 and an error saying the limit could not be checked, at once', async () => {
    await unreachable('closed');
    const started = Date.now();
    const refused = await initialize({ user: 'hana' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32029,
        message: 'Rate limit "per-caller" could not be checked (its store is unreachable); retry after 1 s',
        data: { limit: 'per-caller', retryAfterMs: 1000 },
      },
    });
    const metrics = parseExposition(await (await gateway!.request('/metrics')).text());
    expect(metrics.series('mcp_gateway_rate_limit_store_errors_total')).toEqual({
      'outcome="open"': 0,
      'outcome="closed"': 1,
    });
  });

  it('open: requests go through unlimited, counted', async () => {
    await unreachable('open');
    expect(await statuses(3, { user: 'hana' })).toEqual([200, 200, 200]);
    const metrics = parseExposition(await (await gateway!.request('/metrics')).text());
    expect(metrics.value('mcp_gateway_rate_limit_store_errors_total', { outcome: 'open' })).toBe(3);
  });
});
