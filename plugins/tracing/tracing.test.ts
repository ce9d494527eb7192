/**
 * The tracing plugin in a gateway built in this process, in front of real stdio fixture servers,
 * with `exporter: memory`: the span tree of each kind of request (HTTP SERVER → operation →
 * upstream CLIENT), the client's trace continued, and failures marked as errors.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { definePlugin } from 'mcp-gateway';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { mcpHeaders, openSession, rpc } from '../../test/helpers/in-process.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';
import { MEMORY_EXPORTER } from './state.ts';

/**
 * A plugin loaded after tracing that hands the test what a plugin sees: the `tracing:memory`
 * service (the finished spans) and the gateway's `eventsDelivered`.
 */
function spanReader() {
  let found: { exporter: InMemorySpanExporter; eventsDelivered: () => Promise<void> } | undefined;
  const plugin = definePlugin({
    name: 'span-reader',
    version: '1.0.0',
    setup(ctx) {
      found = { exporter: ctx.use(MEMORY_EXPORTER), eventsDelivered: ctx.gateway.eventsDelivered };
      return {};
    },
  });
  const get = () => {
    if (!found) throw new Error('span-reader was not set up');
    return found;
  };
  return { plugin, exporter: () => get().exporter, eventsDelivered: () => get().eventsDelivered() };
}

const reader = spanReader();
let gateway: TestGateway;
let session: string;

beforeAll(async () => {
  gateway = await startTestGateway({
    config: {
      tracing: { exporter: 'memory' },
      proxy: {
        servers: [
          stdioFixture('files'),
          // Once it exits, it stays down (for long enough) and its tools stay listed: calls fail upstream.
          stdioFixture('victim', { when_down: 'error', reconnect: { initial: '30s', max: '30s' } }),
        ],
      },
    },
    plugins: [reader.plugin],
  });
  session = await openSession(gateway);
});
afterAll(() => gateway?.close());

const exporter = reader.exporter;
beforeEach(() => exporter().reset());

let requests = 0;
/** One JSON-RPC request with its own X-Request-Id; resolves with its answer and its trace's spans. */
async function traced(method: string, params?: unknown, headers: Record<string, string> = {}) {
  const requestId = `tracing-test-${++requests}`;
  const { message } = await rpc(gateway, session, method, params, { 'x-request-id': requestId, ...headers });
  // The operation span ends with the request's event, which comes once the answer is on its way.
  await reader.eventsDelivered();
  const http = await vi.waitFor(() => {
    const span = exporter()
      .getFinishedSpans()
      .find((s) => s.attributes['mcp_gateway.request_id'] === requestId);
    if (!span) throw new Error(`no HTTP span for ${requestId} yet`);
    return span;
  });
  const spans = exporter()
    .getFinishedSpans()
    .filter((s) => s.spanContext().traceId === http.spanContext().traceId);
  const children = (parent: ReadableSpan) =>
    spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  return { message, http, spans, children };
}

/** The tree under the HTTP span, asserting it is a chain: one child at each level. */
function chain(result: Awaited<ReturnType<typeof traced>>): ReadableSpan[] {
  const levels = [result.http];
  for (;;) {
    const children = result.children(levels.at(-1)!);
    if (children.length === 0) return levels;
    expect(children).toHaveLength(1);
    levels.push(children[0]!);
  }
}

const ms = (time: [number, number]) => time[0] * 1000 + time[1] / 1e6;
const CLOCK_SLACK_MS = 1.5;

describe('a tools/call', () => {
  it('makes the HTTP SERVER span, the operation span and the upstream CLIENT span, nested', async () => {
    const result = await traced('tools/call', { name: 'files__echo', arguments: { text: 'hi' } });
    expect(result.message.result).toEqual({ content: [{ type: 'text', text: 'files: hi' }] });
    expect(result.spans).toHaveLength(3);
    const [http, operation, upstream] = chain(result);

    expect(http).toMatchObject({
      name: 'POST /mcp',
      kind: SpanKind.SERVER,
      parentSpanContext: undefined,
      status: { code: SpanStatusCode.UNSET },
    });
    expect(http!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/mcp',
      'url.path': '/mcp',
      'http.response.status_code': 200,
    });

    expect(operation).toMatchObject({
      name: 'tools/call files__echo',
      kind: SpanKind.SERVER,
      status: { code: SpanStatusCode.UNSET },
    });
    expect(operation!.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'files__echo',
      'mcp_gateway.server': 'files',
      'mcp.session.id': session,
      'jsonrpc.request.id': '7',
      'mcp_gateway.outcome': 'success',
    });

    expect(upstream).toMatchObject({
      name: 'tools/call echo',
      kind: SpanKind.CLIENT,
      status: { code: SpanStatusCode.UNSET },
    });
    expect(upstream!.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'echo',
      'mcp_gateway.server': 'files',
      'network.transport': 'pipe',
      'mcp_gateway.outcome': 'success',
    });

    // Each span covers its child: the HTTP span lasts until the streamed answer is sent. (Each
    // span anchors its clock on Date.now() when it starts: allow for that millisecond.)
    for (const [outer, inner] of [
      [http!, operation!],
      [operation!, upstream!],
    ] as const) {
      expect(ms(outer.startTime)).toBeLessThanOrEqual(ms(inner.startTime) + CLOCK_SLACK_MS);
      expect(ms(outer.endTime)).toBeGreaterThanOrEqual(ms(inner.endTime) - CLOCK_SLACK_MS);
    }
    expect(http!.resource.attributes['service.name']).toBe('mcp-gateway');
  });

  it('keeps the HTTP span open until the streamed answer has been sent', async () => {
    const result = await traced('tools/call', { name: 'files__slow', arguments: { ms: 150 } });
    expect(result.message.result).toEqual({ content: [{ type: 'text', text: 'slept 150' }] });
    const [http, operation, upstream] = chain(result);
    for (const span of [http!, operation!, upstream!]) expect(ms(span.duration)).toBeGreaterThanOrEqual(140);
  });

  it("continues the client's trace: same trace id, the HTTP span's parent is the client's span, tracestate kept", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpan = '00f067aa0ba902b7';
    const result = await traced(
      'tools/call',
      { name: 'files__add', arguments: { a: 1, b: 2 } },
      {
        traceparent: `00-${traceId}-${clientSpan}-01`,
        tracestate: 'vendor=opaque',
      },
    );
    const [http, operation, upstream] = chain(result);
    expect(result.spans).toHaveLength(3);
    for (const span of result.spans) expect(span.spanContext().traceId).toBe(traceId);
    expect(http!.parentSpanContext).toMatchObject({ traceId, spanId: clientSpan, isRemote: true });
    expect(operation!.parentSpanContext?.spanId).toBe(http!.spanContext().spanId);
    expect(upstream!.parentSpanContext?.spanId).toBe(operation!.spanContext().spanId);
    expect(upstream!.spanContext().traceState?.serialize()).toBe('vendor=opaque');
  });

  it("records nothing when the client's traceparent says it is not sampled", async () => {
    const { message } = await rpc(
      gateway,
      session,
      'tools/call',
      { name: 'files__echo', arguments: { text: 'quiet' } },
      {
        traceparent: '00-11111111111111111111111111111111-2222222222222222-00',
      },
    );
    expect(message.result).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      exporter()
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === '11111111111111111111111111111111'),
    ).toEqual([]);
  });
});

describe('failures', () => {
  it('an unknown tool: the operation span is an error (unknown_name) and no upstream call is made', async () => {
    const result = await traced('tools/call', { name: 'files__nope', arguments: {} });
    expect(result.message.error).toMatchObject({ code: -32602 });
    const [http, operation, ...rest] = chain(result);
    expect(rest).toEqual([]);
    expect(http!.status.code).toBe(SpanStatusCode.UNSET);
    expect(operation).toMatchObject({
      name: 'tools/call',
      status: { code: SpanStatusCode.ERROR, message: expect.stringContaining('files__nope') },
    });
    expect(operation!.attributes).toMatchObject({
      'mcp_gateway.outcome': 'error',
      'mcp_gateway.failure': 'unknown_name',
      'error.type': '-32602',
      'rpc.response.status_code': '-32602',
    });
  });

  it('a result with isError: both the operation and the upstream span are errors (tool_error)', async () => {
    const result = await traced('tools/call', { name: 'files__fail', arguments: {} });
    expect(result.message.result).toMatchObject({ isError: true });
    const [, operation, upstream] = chain(result);
    for (const span of [operation!, upstream!]) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({ 'mcp_gateway.outcome': 'tool_error', 'error.type': 'tool_error' });
    }
  });

  it('an upstream that is down: the upstream span records the failure and the operation span says unavailable', async () => {
    expect(
      (await rpc(gateway, session, 'tools/call', { name: 'victim__exit', arguments: {} })).message.result,
    ).toBeDefined();
    await vi.waitFor(() => expect(gateway.status().upstreams.find((u) => u.name === 'victim')?.state).toBe('down'), {
      timeout: 10_000,
    });
    const result = await traced('tools/call', { name: 'victim__echo', arguments: { text: 'anyone?' } });
    expect(result.message.error).toBeDefined();
    const [, operation, upstream] = chain(result);
    expect(operation!.status.code).toBe(SpanStatusCode.ERROR);
    expect(operation!.attributes).toMatchObject({
      'mcp_gateway.outcome': 'error',
      'mcp_gateway.failure': 'unavailable',
    });
    expect(upstream).toMatchObject({
      name: 'tools/call echo',
      kind: SpanKind.CLIENT,
      status: { code: SpanStatusCode.ERROR, message: expect.stringContaining('victim') },
    });
    expect(upstream!.attributes).toMatchObject({ 'mcp_gateway.outcome': 'error', 'mcp_gateway.server': 'victim' });
    expect(upstream!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('a request for a session the gateway does not know: the operation span ends with the refusal', async () => {
    const response = await gateway.request('/mcp', {
      method: 'POST',
      headers: mcpHeaders('no-such-session', { 'x-request-id': 'tracing-unknown-session' }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
    await response.text();
    const spans = await vi.waitFor(() => {
      const found = exporter().getFinishedSpans();
      expect(found).toHaveLength(2);
      return found;
    });
    const operation = spans.find((s) => s.name === 'tools/list')!;
    expect(operation.status.code).toBe(SpanStatusCode.ERROR);
    expect(operation.attributes).toMatchObject({
      'mcp_gateway.outcome': 'error',
      'error.type': '-32001',
      'mcp.session.id': 'no-such-session',
    });
  });
});

describe('other requests', () => {
  it('tools/list: the HTTP and operation spans, no upstream span', async () => {
    const result = await traced('tools/list');
    expect(result.spans.map((s) => s.name).sort()).toEqual(['POST /mcp', 'tools/list']);
    const [, operation, ...rest] = chain(result);
    expect(rest).toEqual([]);
    expect(operation!.attributes).toMatchObject({ 'mcp.method.name': 'tools/list', 'mcp_gateway.outcome': 'success' });
    expect(operation!.attributes['mcp_gateway.server']).toBeUndefined();
  });

  it('prompts/get and resources/read: named after the prompt, never after the URI', async () => {
    const prompt = chain(await traced('prompts/get', { name: 'files__greet', arguments: { who: 'Ada' } }));
    expect(prompt.map((s) => s.name)).toEqual(['POST /mcp', 'prompts/get files__greet', 'prompts/get greet']);
    expect(prompt[2]!.attributes).toMatchObject({ 'gen_ai.prompt.name': 'greet', 'mcp_gateway.server': 'files' });
    const read = chain(await traced('resources/read', { uri: 'files://readme' }));
    expect(read.map((s) => s.name)).toEqual(['POST /mcp', 'resources/read', 'resources/read']);
    expect(read[1]!.attributes).toMatchObject({ 'mcp.resource.uri': 'files://readme', 'mcp_gateway.server': 'files' });
    expect(read[2]!.kind).toBe(SpanKind.CLIENT);
  });

  it('initialize: the operation span carries the new session id; a notification gets the HTTP span only', async () => {
    const id = await openSession(gateway, { 'x-request-id': 'tracing-initialize' });
    const spans = await vi.waitFor(() => {
      const found = exporter().getFinishedSpans();
      expect(found).toHaveLength(3);
      return found;
    });
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /mcp', 'POST /mcp', 'initialize']);
    expect(spans.find((s) => s.name === 'initialize')!.attributes).toMatchObject({
      'mcp.session.id': id,
      'mcp_gateway.outcome': 'success',
    });
  });

  it('a route outside /mcp gets an HTTP span named after it; an unknown path, after its method only', async () => {
    await (await gateway.request('/live')).text();
    await (await gateway.request('/no/such/path')).text();
    const spans = await vi.waitFor(() => {
      const found = exporter().getFinishedSpans();
      expect(found).toHaveLength(2);
      return found;
    });
    expect(spans.map((s) => [s.name, s.attributes['http.response.status_code'], s.attributes['http.route']])).toEqual([
      ['GET /live', 200, '/live'],
      ['GET', 404, undefined],
    ]);
  });
});

describe('with a permission policy', () => {
  let guarded: TestGateway;
  afterAll(() => guarded?.close());

  it('a denied call has its operation span, an error saying denied, and no upstream span', async () => {
    const guardedReader = spanReader();
    guarded = await startTestGateway({
      config: {
        tracing: { exporter: 'memory' },
        auth: { permissions: { 'files:*': ['scope:nobody-has-it'] } },
        proxy: { servers: [stdioFixture('files')] },
      },
      plugins: [guardedReader.plugin],
    });
    const id = await openSession(guarded);
    const spans = guardedReader.exporter();
    // The initialize's spans end just after its answer: not to be counted below.
    await vi.waitFor(() => expect(spans.getFinishedSpans().map((s) => s.name)).toContain('initialize'));
    spans.reset();
    const { status, message } = await rpc(guarded, id, 'tools/call', {
      name: 'files__echo',
      arguments: { text: 'no' },
    });
    expect(status).toBe(403);
    expect(message.error).toMatchObject({ code: -32003 });
    const finished = await vi.waitFor(() => {
      const found = spans.getFinishedSpans();
      expect(found).toHaveLength(2);
      return found;
    });
    const operation = finished.find((s) => s.name === 'tools/call files__echo')!;
    expect(operation.status).toMatchObject({
      code: SpanStatusCode.ERROR,
      message: expect.stringContaining('Forbidden'),
    });
    expect(operation.attributes).toMatchObject({
      'mcp_gateway.outcome': 'error',
      'mcp_gateway.failure': 'denied',
      'error.type': '-32003',
    });
    expect(finished.find((s) => s.name === 'POST /mcp')!.attributes['http.response.status_code']).toBe(403);
  });
});

describe('reload', () => {
  it('follows the reloaded sampling from the next request on', async () => {
    const raw = (sampling: number) => ({
      tracing: { exporter: 'memory', sampling },
      proxy: {
        servers: [
          stdioFixture('files'),
          stdioFixture('victim', { when_down: 'error', reconnect: { initial: '30s', max: '30s' } }),
        ],
      },
    });
    expect(await gateway.reload(raw(0))).toMatchObject({ reloadedPlugins: ['tracing'] });
    exporter().reset();
    await rpc(gateway, session, 'tools/list', {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exporter().getFinishedSpans()).toEqual([]);
    await gateway.reload(raw(1));
    const { spans } = await traced('tools/list');
    expect(spans.length).toBeGreaterThan(0);
  });
});
