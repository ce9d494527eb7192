/**
 * Upstreams built on the SDK's v2 line, which serve the 2026-07-28 era (test/fixtures/both-eras-server.ts).
 * Directly, a 2026-07-28 client and a 2025 client each get their era. Through the gateway, the era
 * spoken to each upstream is the one its `protocol:` says: `auto` probes with `server/discover`
 * and speaks 2026-07-28 to a server that answers as one (and 2025-11-25 to one that does not),
 * a version pins it. Clients of either SDK line reach every upstream, and a 2026-07-28 upstream
 * sees the calling client's identity in each request's envelope, with headers that match the body.
 */
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bothErasStdioCommand,
  type FixtureHttp,
  startBothErasFixture,
  startFixtureHttp,
} from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

const MODERN = '2026-07-28';
const meta = (key: string) => `io.modelcontextprotocol/${key}`;

interface Received {
  readonly http: string;
  readonly method?: string;
  readonly name?: string;
  readonly headers: Record<string, string>;
  readonly meta?: Record<string, unknown>;
  /** A listen request's filter. */
  readonly listening?: { resourceSubscriptions?: string[] };
}

let both: FixtureHttp;
let modernOnly: FixtureHttp;
let legacyOnly: FixtureHttp;
let gateway: TestGateway;

beforeAll(async () => {
  [both, modernOnly, legacyOnly] = await Promise.all([
    startBothErasFixture(),
    startBothErasFixture({ modernOnly: true }),
    startFixtureHttp('old'),
  ]);
  gateway = await startTestGateway({
    config: {
      proxy: {
        servers: [
          httpUpstream('auto', both.url),
          httpUpstream('legacy', both.url, { protocol: '2025-11-25' }),
          httpUpstream('pinned', modernOnly.url, { protocol: MODERN, heartbeat: { interval: '1s' } }),
          httpUpstream('old', legacyOnly.url),
          { name: 'stdio', type: 'stdio', connection: bothErasStdioCommand },
        ],
      },
    },
  });
});
afterAll(async () => {
  await gateway?.close();
  await Promise.all([both?.stop(), modernOnly?.stop(), legacyOnly?.stop()]);
});

/** What the `echo` tool (named `name` where the client sees it) answers, through a client of either SDK line. */
async function echo(client: Client | V2Client, name: string): Promise<unknown> {
  return (await client.callTool({ name, arguments: { text: 'hi' } })).structuredContent;
}

async function received(fixture: FixtureHttp): Promise<Received[]> {
  return (await fetch(new URL('/received', fixture.url))).json() as Promise<Received[]>;
}

/** A v2 client of the 2026-07-28 era, stateless, talking to the gateway. */
async function modernClient(name: string): Promise<V2Client> {
  const client = new V2Client({ name, version: '2' }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(new V2Transport(new URL(gateway.url), { fetch: gateway.fetch }));
  return client;
}

describe('the fixture, directly', () => {
  it('serves a client pinned to 2026-07-28 in the new era, statelessly', async () => {
    const client = new V2Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new V2Transport(new URL(both.url)));
    try {
      expect(await echo(client, 'echo')).toEqual({ text: 'hi', era: 'modern' });
    } finally {
      await client.close();
    }
  });

  it('serves a 2025 client in its era', async () => {
    const client = new Client({ name: 'legacy', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(both.url)));
    try {
      expect(await echo(client, 'echo')).toEqual({ text: 'hi', era: 'legacy' });
    } finally {
      await client.close();
    }
  });
});

describe('through the gateway', () => {
  it('speaks to each upstream in the era its protocol: says, and tells it in the status', () => {
    const eras = Object.fromEntries(gateway.status().upstreams.map((u) => [u.name, [u.state, u.protocolVersion]]));
    expect(eras).toEqual({
      auto: ['ready', MODERN],
      legacy: ['ready', '2025-11-25'],
      pinned: ['ready', MODERN],
      old: ['ready', '2025-11-25'],
      stdio: ['ready', MODERN],
    });
  });

  it('carries the calls of a 1.x client (a 2025 session) in each upstream era', async () => {
    const client = await gateway.connect();
    expect(await echo(client, 'auto__echo')).toEqual({ text: 'hi', era: 'modern' });
    expect(await echo(client, 'legacy__echo')).toEqual({ text: 'hi', era: 'legacy' });
    expect(await echo(client, 'pinned__echo')).toEqual({ text: 'hi', era: 'modern' });
    expect(await echo(client, 'stdio__echo')).toEqual({ text: 'hi', era: 'modern' });
    const old = await client.callTool({ name: 'old__echo', arguments: { text: 'hi' } });
    expect(old.isError).toBeFalsy();
  });

  it('carries the calls of a stateless v2 client in each upstream era', async () => {
    const client = await modernClient('v2-caller');
    try {
      expect(await echo(client, 'auto__echo')).toEqual({ text: 'hi', era: 'modern' });
      expect(await echo(client, 'legacy__echo')).toEqual({ text: 'hi', era: 'legacy' });
      expect(await echo(client, 'pinned__echo')).toEqual({ text: 'hi', era: 'modern' });
      expect(await echo(client, 'stdio__echo')).toEqual({ text: 'hi', era: 'modern' });
    } finally {
      await client.close();
    }
  });

  it("asks a 1.x client what a 2026-07-28 upstream's input_required result asks, and sends the answers back", async () => {
    const client = await gateway.connect({ capabilities: { elicitation: { form: {} } } });
    const asked: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { day: 'Friday' } };
    });
    const result = await client.callTool({ name: 'auto__book', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'booked Friday (state asked-for-a-day)' }]);
    expect(asked).toEqual(['Which day?']);
  });

  it("wraps a 2026-07-28 upstream's requestState for a stateless client, and refuses a tampered one before the upstream sees it", async () => {
    const client = new V2Client(
      { name: 'v2-booker', version: '2' },
      { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: { form: {} } } },
    );
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { day: 'Monday' } }));
    await client.connect(new V2Transport(new URL(gateway.url), { fetch: gateway.fetch }));
    try {
      const booked = await client.callTool({ name: 'auto__book', arguments: {} });
      expect(booked.content).toEqual([{ type: 'text', text: 'booked Monday (state asked-for-a-day)' }]);
      const first = (await client.callTool(
        { name: 'auto__book', arguments: {} },
        { allowInputRequired: true },
      )) as unknown as { resultType: string; requestState: string };
      expect(first.resultType).toBe('input_required');
      expect(first.requestState).toMatch(/^v1\./);
      expect(first.requestState).not.toContain('asked-for-a-day');
      const before = (await received(both)).length;
      const tampered = {
        name: 'auto__book',
        arguments: {},
        inputResponses: { day: { action: 'accept', content: { day: 'Sunday' } } },
        requestState: `${first.requestState}x`,
      };
      await expect(client.callTool(tampered, { allowInputRequired: true })).rejects.toThrow(/requestState/);
      expect((await received(both)).length).toBe(before);
    } finally {
      await client.close();
    }
  });

  it("sends a 2026-07-28 upstream the caller's identity in the envelope, with headers from the body and no session", async () => {
    const v1 = await gateway.connect({
      clientInfo: { name: 'v1-caller', version: '1.0.0' },
      capabilities: { elicitation: {} },
    });
    await echo(v1, 'pinned__echo');
    const v2 = await modernClient('v2-caller');
    try {
      await echo(v2, 'pinned__grüße');
    } finally {
      await v2.close();
    }
    const calls = (await received(modernOnly)).filter((r) => r.method === 'tools/call');
    const fromV1 = calls.find((r) => (r.meta?.[meta('clientInfo')] as { name?: string })?.name === 'v1-caller');
    expect(fromV1?.meta).toMatchObject({
      [meta('protocolVersion')]: MODERN,
      [meta('clientInfo')]: { name: 'v1-caller', version: '1.0.0' },
      [meta('clientCapabilities')]: { elicitation: {} },
    });
    expect(fromV1?.headers).toEqual({ 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
    const fromV2 = calls.find((r) => r.name === 'grüße');
    expect(fromV2?.meta).toMatchObject({
      [meta('protocolVersion')]: MODERN,
      [meta('clientInfo')]: { name: 'v2-caller', version: '2' },
    });
    // Not ASCII: the un-prefixed name, base64-encoded.
    expect(fromV2?.headers['mcp-name']).toBe(`=?base64?${Buffer.from('grüße').toString('base64')}?=`);
  });

  it('names a resource to a 2026-07-28 upstream by its own URI, not the one the gateway exposes', async () => {
    const client = await gateway.connect();
    const { resources } = await client.listResources();
    // Four servers list note://hello: all but the first are exposed as mcp-gateway:<server>:note://hello.
    const exposed = resources.find((r) => r.uri.startsWith('mcp-gateway:pinned:'))!.uri;
    const read = await client.readResource({ uri: exposed });
    expect(read.contents).toMatchObject([{ text: 'read in the modern era' }]);
    const reads = (await received(modernOnly)).filter((r) => r.method === 'resources/read');
    expect(reads.at(-1)?.headers).toEqual({
      'mcp-protocol-version': MODERN,
      'mcp-method': 'resources/read',
      'mcp-name': 'note://hello',
    });
  });

  it('lists and probes a 2026-07-28 upstream in its own name, and never opens or ends a session there', async () => {
    const seen = await received(modernOnly);
    expect(seen.every((r) => r.http === 'POST' && r.headers['mcp-session-id'] === undefined)).toBe(true);
    expect(seen.some((r) => r.method === 'initialize')).toBe(false);
    const listing = seen.find((r) => r.method === 'tools/list');
    expect(listing?.meta).toMatchObject({
      [meta('clientInfo')]: { name: 'mcp-gateway' },
      [meta('clientCapabilities')]: {},
    });
    const discover = seen.find((r) => r.method === 'server/discover');
    expect(discover?.headers).toMatchObject({ 'mcp-protocol-version': MODERN, 'mcp-method': 'server/discover' });
  });

  it('checks the health of a 2026-07-28 upstream with server/discover, which has no ping', async () => {
    const discovers = async () => (await received(modernOnly)).filter((r) => r.method === 'server/discover').length;
    const before = await discovers();
    await expect.poll(discovers, { timeout: 3000 }).toBeGreaterThan(before);
    expect((await received(modernOnly)).some((r) => r.method === 'ping')).toBe(false);
  });

  it('passes a 2026-07-28 result on as the upstream sent it, resultType included, to a 1.x client', async () => {
    const client = await gateway.connect();
    const result = await client.callTool({ name: 'pinned__echo', arguments: { text: 'hi' } });
    expect(result).toMatchObject({ resultType: 'complete', structuredContent: { text: 'hi', era: 'modern' } });
  });

  it('shakes hands in the 2025 era with an upstream pinned to it, though the server speaks both', async () => {
    const seen = await received(both);
    expect(seen.some((r) => r.method === 'initialize')).toBe(true);
    expect(
      seen.filter((r) => r.method === 'initialize').every((r) => r.headers['mcp-protocol-version'] === undefined),
    ).toBe(true);
  });

  it("subscribes a client to a 2026-07-28 upstream's resource through its listen stream, and relays the updates", async () => {
    const client = await gateway.connect();
    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      updates.push(notification.params.uri);
    });
    const listensBefore = (await received(both)).filter((r) => r.method === 'subscriptions/listen').length;
    await client.subscribeResource({ uri: 'note://hello' });
    // The era has no resources/subscribe: the gateway listens again, with the resource in its filter.
    await expect
      .poll(async () => (await received(both)).filter((r) => r.method === 'subscriptions/listen').length)
      .toBeGreaterThan(listensBefore);
    const listen = (await received(both)).filter((r) => r.method === 'subscriptions/listen').at(-1);
    expect(listen?.listening?.resourceSubscriptions).toEqual(['note://hello']);
    expect((await received(both)).some((r) => r.method === 'resources/subscribe')).toBe(false);
    await expect
      .poll(async () => {
        await fetch(new URL('/update-note', both.url), { method: 'POST' });
        return updates;
      })
      .toContain('note://hello');
    await client.unsubscribeResource({ uri: 'note://hello' });
    await client.close();
  });

  it("hears of a 2026-07-28 upstream's list changes on its listen stream, reopened when it is cut", async () => {
    const listed = async () => (await (await gateway.connect()).listTools()).tools.map((tool) => tool.name);
    const addTool = async () =>
      ((await (await fetch(new URL('/add-tool', modernOnly.url), { method: 'POST' })).json()) as { name: string }).name;
    const first = await addTool();
    await expect.poll(listed, { timeout: 5000 }).toContain(`pinned__${first}`);

    const listens = async () => (await received(modernOnly)).filter((r) => r.method === 'subscriptions/listen').length;
    const before = await listens();
    await fetch(new URL('/end-listens', modernOnly.url), { method: 'POST' });
    await expect.poll(listens, { timeout: 5000 }).toBeGreaterThan(before);
    const second = await addTool();
    await expect.poll(listed, { timeout: 5000 }).toContain(`pinned__${second}`);
  });
});

describe('an upstream that comes back as another server', () => {
  it('is asked its era again: a 2025 server replaced by a 2026-07-28 one on the same port', async () => {
    let server = await startFixtureHttp('swapped');
    const { port } = server;
    const swapping = await startTestGateway({
      config: {
        proxy: { servers: [httpUpstream('swapped', server.url, { reconnect: { initial: '100ms', max: '500ms' } })] },
      },
    });
    try {
      const era = () => swapping.status().upstreams[0]!;
      expect(era()).toMatchObject({ state: 'ready', protocolVersion: '2025-11-25' });
      await server.stop();
      await expect.poll(() => era().state, { timeout: 5000 }).toBe('down');
      server = await startBothErasFixture({ modernOnly: true, port });
      await expect.poll(era, { timeout: 5000 }).toMatchObject({ state: 'ready', protocolVersion: MODERN });
    } finally {
      await swapping.close();
      await server.stop();
    }
  });
});
