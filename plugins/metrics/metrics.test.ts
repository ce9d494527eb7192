/**
 * What the metrics count, exactly, after a scripted set of requests through a gateway built in
 * this process: a stdio fixture (`alpha`), an HTTP fixture that went away (`gone`, `when_down:
 * error`, so its tools stay listed and calls fail at once), the permissions plugin denying
 * `alpha:stats` to all but admins (callers injected by the test-only claims-principal plugin).
 * Every counter delta and histogram count is asserted, and that nothing else moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { principalHeader } from '../../test/fixtures/plugins/claims-principal.ts';
import { changes, labelKey, parseExposition, type Exposition } from '../../test/helpers/exposition.ts';
import { mcpHeaders, openSession, rpc } from '../../test/helpers/in-process.ts';
import { startFixtureHttp, type FixtureHttp } from '../../test/helpers/processes.ts';
import { httpUpstream, stdioFixture } from '../../test/helpers/servers.ts';

/** `{ labels → value }`, keyed as `changes()` keys series. */
const table = (...rows: [Record<string, string>, number][]) =>
  Object.fromEntries(rows.map(([labels, value]) => [labelKey(labels), value]));
const admin = { [principalHeader]: JSON.stringify({ sub: 'ada', scopes: ['scope:admin'] }) };
const unknown = '(unknown)';

let gateway: TestGateway;
let gone: FixtureHttp;

async function scrape(): Promise<Exposition> {
  const response = await gateway.request('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  gone = await startFixtureHttp('gone');
  gateway = await startTestGateway({
    config: {
      server: { url: 'https://mcp.example.com' },
      auth: { permissions: { 'alpha:*': [], 'alpha:stats': ['scope:admin'], 'gone:*': [] } },
      proxy: {
        reconnect: { initial: '200ms', max: '500ms' },
        heartbeat: { interval: '1s', timeout: '500ms' },
        servers: [stdioFixture('alpha'), httpUpstream('gone', gone.url, { when_down: 'error' })],
      },
    },
    plugins: ['./test/fixtures/plugins/claims-principal.ts'],
  });
  await gone.stop();
  const state = (name: string) => gateway.status().upstreams.find((u) => u.name === name)?.state;
  await until('upstream gone to be down', () => state('gone') === 'down');
});
afterAll(async () => {
  await gateway?.close();
  await gone?.stop();
});

describe('a scripted set of requests', () => {
  let before: Exposition;
  let after: Exposition;
  let anonymous: string;
  let adminSession: string;

  beforeAll(async () => {
    before = await scrape();
    anonymous = await openSession(gateway);
    adminSession = await openSession(gateway, admin);
    const call = (
      session: string,
      name: string,
      args: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) => rpc(gateway, session, 'tools/call', { name, arguments: args }, headers);

    expect((await rpc(gateway, anonymous, 'tools/list')).message.result).toBeDefined();
    for (const text of ['one', 'two'])
      expect((await call(anonymous, 'alpha__echo', { text })).message.result).toBeDefined();
    expect((await call(anonymous, 'alpha__fail')).message.result).toMatchObject({ isError: true });
    expect((await call(anonymous, 'gone__echo', { text: 'x' })).message.error).toMatchObject({
      message: expect.stringContaining('"gone" is down'),
    });
    expect(await call(anonymous, 'alpha__stats')).toMatchObject({ status: 403 });
    expect((await call(adminSession, 'alpha__stats', {}, admin)).message.result).toBeDefined();
    expect((await call(anonymous, 'alpha__nope')).message.error).toMatchObject({ code: -32602 });
    after = await scrape();
  });

  it('counts tool calls under the original names: every call, its successes, its errors by reason', () => {
    expect(changes(before, after, 'mcp_gateway_tools_called')).toEqual(
      table(
        [{ proxy: 'alpha', tool: 'echo' }, 2],
        [{ proxy: 'alpha', tool: 'fail' }, 1],
        [{ proxy: 'gone', tool: 'echo' }, 1],
        [{ proxy: 'alpha', tool: 'stats' }, 2],
        [{ proxy: unknown, tool: unknown }, 1],
      ),
    );
    expect(changes(before, after, 'mcp_gateway_tools_call_success')).toEqual(
      table([{ proxy: 'alpha', tool: 'echo' }, 2], [{ proxy: 'alpha', tool: 'stats' }, 1]),
    );
    expect(changes(before, after, 'mcp_gateway_tools_call_errors')).toEqual(
      table(
        [{ proxy: 'alpha', tool: 'fail', reason: 'tool_error' }, 1],
        [{ proxy: 'gone', tool: 'echo', reason: 'unavailable' }, 1],
        [{ proxy: 'alpha', tool: 'stats', reason: 'denied' }, 1],
        [{ proxy: unknown, tool: unknown, reason: 'unknown_name' }, 1],
      ),
    );
    expect(changes(before, after, 'mcp_gateway_list_tools')).toEqual(table([{}, 1]));
    expect(after.types.get('mcp_gateway_tools_called')).toBe('counter');
  });

  it('times every tool call, by outcome, in a histogram', () => {
    const name = 'mcp_gateway_tool_call_duration_seconds';
    const counts = table(
      [{ proxy: 'alpha', tool: 'echo', outcome: 'success' }, 2],
      [{ proxy: 'alpha', tool: 'fail', outcome: 'tool_error' }, 1],
      [{ proxy: 'gone', tool: 'echo', outcome: 'error' }, 1],
      [{ proxy: 'alpha', tool: 'stats', outcome: 'error' }, 1],
      [{ proxy: 'alpha', tool: 'stats', outcome: 'success' }, 1],
      [{ proxy: unknown, tool: unknown, outcome: 'error' }, 1],
    );
    expect(changes(before, after, `${name}_count`)).toEqual(counts);
    const infinite = Object.fromEntries(
      Object.entries(changes(before, after, `${name}_bucket`))
        .filter(([key]) => key.includes('le="+Inf"'))
        .map(([key, value]) => [key.replace('le="+Inf",', ''), value]),
    );
    expect(infinite).toEqual(counts);
    expect(Object.keys(changes(before, after, `${name}_sum`)).sort()).toEqual(Object.keys(counts).sort());
    expect(after.types.get(name)).toBe('histogram');
  });

  it('counts MCP operations by method, outcome and reason', () => {
    expect(changes(before, after, 'mcp_gateway_operations_total')).toEqual(
      table(
        [{ method: 'tools/list', outcome: 'success', reason: 'none' }, 1],
        [{ method: 'tools/call', outcome: 'success', reason: 'none' }, 3],
        [{ method: 'tools/call', outcome: 'tool_error', reason: 'tool_error' }, 1],
        [{ method: 'tools/call', outcome: 'error', reason: 'unavailable' }, 1],
        [{ method: 'tools/call', outcome: 'error', reason: 'denied' }, 1],
        [{ method: 'tools/call', outcome: 'error', reason: 'unknown_name' }, 1],
      ),
    );
  });

  it('times HTTP requests by method, route and status', () => {
    // Two sessions (initialize 200, initialized 202), eight requests (one 403), and the first scrape.
    expect(changes(before, after, 'mcp_gateway_http_request_duration_seconds_count')).toEqual(
      table(
        [{ method: 'POST', route: 'mcp', status: '200' }, 9],
        [{ method: 'POST', route: 'mcp', status: '202' }, 2],
        [{ method: 'POST', route: 'mcp', status: '403' }, 1],
        [{ method: 'GET', route: 'metrics', status: '200' }, 1],
      ),
    );
  });

  it('reports each upstream: up or not, connections made, failures', () => {
    expect(after.series('mcp_gateway_upstream_up')).toEqual(table([{ proxy: 'alpha' }, 1], [{ proxy: 'gone' }, 0]));
    expect(after.series('mcp_gateway_upstream_connections_total')).toEqual(
      table([{ proxy: 'alpha' }, 1], [{ proxy: 'gone' }, 1]),
    );
    expect(after.value('mcp_gateway_upstream_failures_total', { proxy: 'alpha' })).toBe(0);
    // Lost once, then every reconnection attempt (a refused port) fails: at least one.
    const goneFailures = after.value('mcp_gateway_upstream_failures_total', { proxy: 'gone' });
    expect(goneFailures).toBeGreaterThanOrEqual(1);
    expect(goneFailures).toBeLessThanOrEqual(gateway.status().upstreams.find((u) => u.name === 'gone')!.failures);
  });

  it('counts open sessions, and a closed one no more', async () => {
    expect(after.value('mcp_gateway_sessions_active') - before.value('mcp_gateway_sessions_active')).toBe(2);
    const closed = await gateway.request('/mcp', { method: 'DELETE', headers: mcpHeaders(adminSession, admin) });
    expect(closed.status).toBe(200);
    expect((await scrape()).value('mcp_gateway_sessions_active')).toBe(after.value('mcp_gateway_sessions_active') - 1);
  });

  it('says which gateway version runs, and has the Node.js process metrics', async () => {
    // The version the gateway gives its clients in `initialize`.
    const { version } = (await gateway.connect()).getServerVersion()!;
    expect(after.series('mcp_gateway_info')).toEqual(table([{ version }, 1]));
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(after.types.has(name), name).toBe(true);
    }
  });
});

describe('bounded cardinality', () => {
  it('gives guessed tool names, unknown MCP methods and unknown HTTP verbs one series each, whatever the client sends', async () => {
    const session = await openSession(gateway);
    const before = await scrape();
    for (let i = 0; i < 20; i++) {
      await rpc(gateway, session, 'tools/call', { name: `alpha__guess${i}`, arguments: {} });
      await rpc(gateway, session, 'tools/call', { name: `nobody__${i}`, arguments: {} });
      await rpc(gateway, session, `made/up${i}`, {});
    }
    for (const verb of ['PURGE', 'BREW', 'PROPFIND']) await gateway.request('/mcp', { method: verb });
    await gateway.request('/no/such/path');
    const after = await scrape();
    expect(changes(before, after, 'mcp_gateway_tools_called')).toEqual(table([{ proxy: unknown, tool: unknown }, 40]));
    expect(changes(before, after, 'mcp_gateway_tools_call_errors')).toEqual(
      table([{ proxy: unknown, tool: unknown, reason: 'unknown_name' }, 40]),
    );
    expect(changes(before, after, 'mcp_gateway_operations_total')).toEqual(
      table(
        [{ method: 'tools/call', outcome: 'error', reason: 'unknown_name' }, 40],
        [{ method: 'other', outcome: 'error', reason: 'invalid_request' }, 20],
      ),
    );
    expect(changes(before, after, 'mcp_gateway_http_request_duration_seconds_count')).toEqual(
      table(
        [{ method: 'POST', route: 'mcp', status: '200' }, 60],
        [{ method: 'OTHER', route: 'mcp', status: '405' }, 3],
        [{ method: 'GET', route: 'not-found', status: '404' }, 1],
        [{ method: 'GET', route: 'metrics', status: '200' }, 1],
      ),
    );
  });
});
