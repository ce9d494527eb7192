/**
 * Bad input in the 2026-07-28 era, generated: each family of malformed requests (wrong types in
 * the envelope, headers that disagree with the body, huge values, batches, responses, ids, a
 * session on a stateless request...) is drawn from a seeded generator, so every run sends the
 * same cases. Each answer must be the verdict the spec's validation ladder gives (the SDK's
 * `classifyInboundRequest` agrees where it decides), never a 5xx, never the gateway's insides,
 * never a long echo of the input; and the gateway must answer a good request after each.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messagesOf, openSession } from '../helpers/in-process.ts';
import {
  envelope,
  headersFor,
  KEY,
  MODERN,
  modernBody,
  oracleRejection,
  type Random,
  rpcError,
  sane,
  seeded,
} from '../helpers/modern-probe.ts';

const reader = { 'x-test-principal': JSON.stringify({ sub: 'ann', scopes: ['scope:notes'] }) };
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    config: { auth: { permissions: { 'notes:*': ['scope:notes'] } } },
    plugins: ['./test/fixtures/plugins/claims-principal.ts'],
    servers: {
      notes: () => {
        const server = new McpServer({ name: 'notes', version: '1.0.0' });
        server.registerTool(
          'list',
          { description: 'Lists the notes', outputSchema: { notes: z.array(z.string()) } },
          async () => ({ content: [{ type: 'text', text: 'buy milk' }], structuredContent: { notes: ['buy milk'] } }),
        );
        return server;
      },
    },
  });
});
afterAll(() => gateway?.close());

/** What a case must get: a JSON-RPC error, a result, 202 for a notification, or only the checks every answer passes. */
type Want = { status: number; code: number } | 'served' | 'accepted' | 'sane';
interface Probe {
  readonly label: string;
  /** The body, or its JSON text when `JSON.stringify` cannot make it (deep nesting). */
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly want: Want;
  /** False where the SDK cannot judge: its schemas recurse into a deep body until the stack overflows. */
  readonly oracle?: false;
}

const refused = (status: number, code: number) => ({ status, code });
const INVALID_REQUEST = refused(400, -32600);
const INVALID_PARAMS = refused(400, -32602);
const HEADER_MISMATCH = refused(400, -32020);
const NOT_FOUND = refused(404, -32601);
const UNKNOWN_TASK = refused(200, -32602);

const probe = (
  label: string,
  body: unknown,
  want: Want,
  overrides: Record<string, string | undefined> = {},
): Probe => ({ label, body, headers: headersFor(typeof body === 'string' ? JSON.parse(body) : body, overrides), want });

/** Values of every JSON type but an object; then of every type but a string. */
const notObject = (r: Random) => r.pick<unknown>([42, -1, 1.5, true, false, null, [], [{}], '', r.word()]);
const notString = (r: Random) => r.pick<unknown>([42, 1.5, true, null, [], [MODERN], {}, { v: MODERN }]);
const huge = (size = 1_000_000) => 'x'.repeat(size);
/** A request the gateway serves, to carry the bad part. */
const servedRequest = (r: Random, params: Record<string, unknown> = {}, id: unknown = r.int(1000)) =>
  r.pick([
    () => modernBody('tools/list', params, id),
    () => modernBody('server/discover', params, id),
    () => modernBody('tools/call', { name: 'notes__list', arguments: {}, ...params }, id),
  ])();
const withMeta = (r: Random, meta: Record<string, unknown>) => servedRequest(r, { _meta: meta });

const families: Record<string, (r: Random) => Probe> = {
  'a _meta key of the wrong type': (r) => {
    const [key, value] = r.pick<[string, () => unknown]>([
      [KEY.version, () => notString(r)],
      [KEY.capabilities, () => notObject(r)],
      [KEY.capabilities, () => ({ [r.pick(['sampling', 'elicitation', 'roots', 'experimental'])]: notObject(r) })],
      [
        KEY.info,
        () => r.pick([notObject(r), {}, { name: 'a' }, { name: 42, version: '1' }, { name: 'a', version: [] }]),
      ],
      [KEY.logLevel, () => r.pick([notString(r), 'loud', 'INFO', ''])],
    ]);
    const bad = value();
    return probe(`${key}=${JSON.stringify(bad)}`, withMeta(r, { ...envelope(), [key]: bad }), INVALID_PARAMS);
  },
  'an envelope without a required key': (r) => {
    const meta = envelope();
    delete meta[r.pick([KEY.version, KEY.capabilities])];
    return probe(JSON.stringify(Object.keys(meta)), withMeta(r, meta), INVALID_PARAMS);
  },
  '_meta or params that are not an object': (r) => {
    const bad = notObject(r);
    const body = r.pick([
      () => ({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: bad } }),
      () => ({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: bad }),
    ])();
    return probe(JSON.stringify(body.params), body, INVALID_REQUEST);
  },
  'a version the gateway does not speak': (r) => {
    const version = r.pick(['2025-11-25', '2025-06-18', '2099-01-01', '2026-07-29', r.word(), huge(100_000)]);
    return probe(version.slice(0, 20), withMeta(r, { ...envelope(), [KEY.version]: version }), refused(400, -32022));
  },
  'a header that disagrees with the body': (r) => {
    const body = r.pick([
      () => modernBody('tools/call', { name: 'notes__list', arguments: {} }),
      () => modernBody('prompts/get', { name: r.word() }),
      () => modernBody('resources/read', { uri: `notes://${r.word()}` }),
    ])();
    const header = r.pick(['mcp-protocol-version', 'mcp-method', 'mcp-name']);
    const value = r.pick([undefined, r.word(), huge(100_000), header === 'mcp-method' ? 'tools/list' : '2025-11-25']);
    return probe(`${header}: ${value?.slice(0, 20)}`, body, HEADER_MISMATCH, { [header]: value });
  },
  'a name of the wrong type': (r) => {
    const [method, key] = r.pick([
      ['tools/call', 'name'],
      ['prompts/get', 'name'],
      ['resources/read', 'uri'],
    ]);
    const name = notString(r);
    // No header can repeat it: the gateway refuses it there, before it is looked for.
    return probe(`${key}=${JSON.stringify(name)}`, modernBody(method, { [key]: name }), HEADER_MISMATCH);
  },
  'a body of another media type': (r) => {
    const type = r.pick([
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonl',
      'text/json',
    ]);
    return probe(String(type), servedRequest(r), refused(415, -32000), { 'content-type': type });
  },
  'a name header in a bad base64 form': (r) => {
    const body = modernBody('tools/call', { name: 'notes__list', arguments: {} });
    const encoded = Buffer.from('notes__list').toString('base64');
    const form = r.pick([
      encoded.replace(/=+$/, ''), // not canonical: padding missing
      `${encoded.slice(0, 4)} ${encoded.slice(4)}`,
      encoded.replace(/=+$/, '').concat('=='),
      '*** not base64 ***',
      Buffer.from([0xff, 0xfe, 0x80]).toString('base64'), // not UTF-8
      huge(100_000),
    ]);
    return probe(form.slice(0, 20), body, HEADER_MISMATCH, { 'mcp-name': `=?base64?${form}?=` });
  },
  'a tasks request without its name header': (r) => {
    const body = modernBody(r.pick(['tasks/get', 'tasks/update', 'tasks/cancel']), { taskId: r.word() });
    // Named right, a task id the gateway never gave is refused as such (in the answer, not by HTTP).
    const named = r.next() < 0.3;
    return probe(
      String(named),
      body,
      named ? UNKNOWN_TASK : HEADER_MISMATCH,
      named ? {} : { 'mcp-name': r.pick([undefined, 'other']) },
    );
  },
  'headers a server takes as they are': (r) => {
    const encoded = `=?base64?${Buffer.from('notes__list').toString('base64')}?=`;
    return r.pick([
      () => probe('a name header where none is needed', modernBody('tools/list'), 'served', { 'mcp-name': r.word() }),
      () =>
        probe('the base64 form', modernBody('tools/call', { name: 'notes__list', arguments: {} }), 'served', {
          'mcp-name': encoded,
        }),
    ])();
  },
  'an unknown or removed method': (r) => {
    const method = r.pick([
      'initialize',
      'ping',
      'logging/setLevel',
      'resources/subscribe',
      'tools/explode',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      r.word(),
      huge(100_000),
    ]);
    const overrides = r.next() < 0.5 ? { 'mcp-name': r.word() } : {};
    return probe(method.slice(0, 20), modernBody(method, { name: r.word() }), NOT_FOUND, overrides);
  },
  'a notification with an envelope': (r) => {
    const body = { jsonrpc: '2.0', method: r.pick(['notifications/cancelled', 'notifications/progress', r.word()]) };
    return r.pick([
      () =>
        probe('accepted', { ...body, params: { _meta: envelope() } }, 'accepted', {
          'mcp-method': r.pick([undefined, body.method]),
        }),
      () => probe('header only', { ...body, params: {} }, 'accepted'),
      () =>
        probe(
          'version',
          { ...body, params: { _meta: { ...envelope(), [KEY.version]: notString(r) } } },
          INVALID_PARAMS,
        ),
      () =>
        probe('mismatch', { ...body, params: { _meta: envelope() } }, HEADER_MISMATCH, {
          'mcp-protocol-version': '2025-11-25',
        }),
    ])();
  },
  'a batch with a modern element': (r) => {
    const batch = r.pick([
      [],
      [servedRequest(r)],
      [servedRequest(r), servedRequest(r)],
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, servedRequest(r)],
    ]);
    return probe(`${batch.length} elements`, batch, INVALID_REQUEST, { 'mcp-method': 'tools/list' });
  },
  'an id of the wrong type': (r) => {
    const id = r.pick<unknown>([{}, [], [1], null, true, false, 1.5, -0.25, { id: 1 }]);
    return probe(JSON.stringify(id), servedRequest(r, {}, id), INVALID_REQUEST);
  },
  'not JSON-RPC 2.0': (r) => {
    const { jsonrpc: _, ...rest } = servedRequest(r);
    const body = r.pick([rest, { ...rest, jsonrpc: '1.0' }, { ...rest, jsonrpc: 2 }]);
    return probe(String((body as { jsonrpc?: unknown }).jsonrpc), body, INVALID_REQUEST);
  },
  'a response posted with modern headers': (r) => {
    const body = r.pick<Record<string, unknown>>([
      { jsonrpc: '2.0', id: r.int(100), result: { resultType: 'complete', _meta: envelope() } },
      { jsonrpc: '2.0', id: r.word(), error: { code: -1, message: r.word() } },
    ]);
    return probe('response', body, INVALID_REQUEST);
  },
  'a body of the old era with modern headers': (r) =>
    r.pick([
      () => probe('no _meta', { jsonrpc: '2.0', id: 3, method: 'tools/list' }, INVALID_PARAMS),
      () =>
        probe(
          'no claim',
          { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { progressToken: 1 } } },
          INVALID_PARAMS,
        ),
      () =>
        probe(
          'initialize',
          {
            jsonrpc: '2.0',
            id: 3,
            method: 'initialize',
            params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'old', version: '1' } },
          },
          HEADER_MISMATCH,
        ),
    ])(),
  'a retry whose requestState or inputResponses has the wrong type': (r) => {
    const params = r.pick([{ requestState: notString(r) }, { inputResponses: notObject(r), requestState: 'state' }]);
    return probe(
      JSON.stringify(params),
      modernBody('tools/call', { name: 'notes__list', arguments: {}, ...params }),
      INVALID_PARAMS,
    );
  },
  'resultType in a request': (r) =>
    probe(
      'resultType',
      modernBody('tools/call', {
        name: 'notes__list',
        arguments: {},
        resultType: r.pick(['complete', 'input_required', 'bogus', 42]),
      }),
      'served',
    ),
  'huge values': (r) =>
    r.pick([
      () =>
        probe(
          '1 MB requestState',
          modernBody('tools/call', { name: 'notes__list', arguments: {}, requestState: huge() }),
          'sane',
        ),
      () =>
        probe(
          '1 MB arguments',
          modernBody('tools/call', { name: 'notes__list', arguments: { text: huge() } }),
          'served',
        ),
      () =>
        probe('1 MB client name', withMeta(r, { ...envelope(), [KEY.info]: { name: huge(), version: '1' } }), 'served'),
      () => {
        // Deeper than a recursive walk of it would survive.
        const depth = 20_000;
        const capabilities = `{"experimental":{"deep":${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}}}`;
        const text = JSON.stringify(modernBody('tools/list')).replace(
          '"io.modelcontextprotocol/clientCapabilities":{}',
          `"${KEY.capabilities}":${capabilities}`,
        );
        return { ...probe('deep capabilities', text, 'served'), oracle: false } as const;
      },
    ])(),
};

const hashOf = (text: string) =>
  [...text].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261);
const validId = (id: unknown) => typeof id === 'string' || Number.isInteger(id);
const GOOD = modernBody('tools/call', { name: 'notes__list', arguments: {} });

async function send(body: unknown, headers: Record<string, string>): Promise<Response> {
  return gateway.request('/mcp', {
    method: 'POST',
    headers: { ...headers, ...reader },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A result for a request the gateway serves: complete, of the new era. */
async function expectServed(response: Response, text: string, label: string) {
  expect(response.status, label).toBe(200);
  const messages = response.headers.get('content-type')?.includes('text/event-stream')
    ? await messagesOf(new Response(text, { headers: response.headers }))
    : [JSON.parse(text) as Record<string, unknown>];
  expect(messages.at(-1), label).toMatchObject({ result: { resultType: 'complete' } });
}

async function check({ label, body, headers, want, oracle }: Probe) {
  const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  const verdict = oracle === false ? undefined : oracleRejection(parsed, headers);
  if (verdict) expect(want, `${label}: the SDK's verdict`).toEqual(verdict);
  const response = await send(body, headers);
  const text = await sane(response, label, want === 'served' || want === 'sane' ? 4096 : 2048);
  if (want === 'served') await expectServed(response, text, label);
  else if (want === 'accepted') expect({ status: response.status, text }, label).toEqual({ status: 202, text: '' });
  else if (want !== 'sane') {
    expect(response.status, label).toBe(want.status);
    const { id } = rpcError(text, label, want.code);
    const asked = Array.isArray(parsed) ? undefined : (parsed as { id?: unknown }).id;
    // The request's id when it had a usable one; null when it had none, or was refused unread.
    const unread = want.code === -32600 || want.status === 415;
    const ids = validId(asked) ? [asked, ...(unread ? [null] : [])] : [null];
    expect(ids, `${label}: id ${JSON.stringify(id)}`).toContainEqual(id);
  }
  // Nothing is lost: the next good request is served.
  const good = await send(GOOD, headersFor(GOOD));
  await expectServed(good, await good.text(), `${label}: the good request after`);
}

describe('bad input in the new era, generated', () => {
  it.each(Object.keys(families))('%s', async (family) => {
    const random = seeded(hashOf(family));
    for (let i = 0; i < 20; i++) await check(families[family]!(random));
  });
});

// Known: proxy.ts's unknown-name errors ("Unknown tool: ...", and the uri in data) repeat the name
// whole, in both eras. Flip to `it` when they bound it.
it('an unknown name of 100 kB is named in its error, not echoed whole', async () => {
  const body = modernBody('tools/call', { name: huge(100_000), arguments: {} });
  const response = await send(body, headersFor(body));
  rpcError(await sane(response, 'huge name'), 'huge name', -32602);
});

describe('a session id on a stateless request', () => {
  it('is refused, whether the session exists or not: the new era has none', async () => {
    const live = await openSession(gateway, reader);
    for (const sessionId of [live, 'no-such-session']) {
      const response = await send(GOOD, { ...headersFor(GOOD), 'mcp-session-id': sessionId });
      rpcError(await sane(response, sessionId), sessionId, -32600);
      expect(response.status).toBe(400);
    }
  });
});
