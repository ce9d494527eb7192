/**
 * An upstream built on the SDK's v2 line, which serves both protocol eras on one endpoint
 * (test/fixtures/both-eras-server.ts). Directly, a 2026-07-28 client and a 2025 client each get
 * their era; through the gateway (which speaks the 2025 era to its upstreams, whatever era its
 * client speaks), clients of either SDK line reach it, and the server's own 2025 serving has no
 * sessions and no GET stream.
 */
import { Client as V2Client, StreamableHTTPClientTransport as V2Transport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestGateway, type TestGateway } from 'mcp-gateway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBothErasFixture, type FixtureHttp } from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';

let upstream: FixtureHttp;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startBothErasFixture();
  gateway = await startTestGateway({ config: { proxy: { servers: [httpUpstream('both', upstream.url)] } } });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.stop();
});

/** What the `echo` tool (named `name` where the client sees it) answers, through a client of either SDK line. */
async function echo(client: Client | V2Client, name: string): Promise<unknown> {
  return (await client.callTool({ name, arguments: { text: 'hi' } })).structuredContent;
}

describe('the fixture, directly', () => {
  it('serves a client pinned to 2026-07-28 in the new era, statelessly', async () => {
    const client = new V2Client(
      { name: 'modern', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new V2Transport(new URL(upstream.url)));
    try {
      expect(await echo(client, 'echo')).toEqual({ text: 'hi', era: 'modern' });
    } finally {
      await client.close();
    }
  });

  it('serves a 2025 client in its era', async () => {
    const client = new Client({ name: 'legacy', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(upstream.url)));
    try {
      expect(await echo(client, 'echo')).toEqual({ text: 'hi', era: 'legacy' });
    } finally {
      await client.close();
    }
  });
});

describe('through the gateway', () => {
  it('is ready, and reached in the 2025 era by a 1.x client', async () => {
    expect(gateway.status().upstreams).toMatchObject([{ name: 'both', state: 'ready' }]);
    const client = await gateway.connect();
    expect(await echo(client, 'both__echo')).toEqual({ text: 'hi', era: 'legacy' });
  });

  it('is reached by a v2 client that negotiates the new era with the gateway, in the 2025 era', async () => {
    const client = new V2Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new V2Transport(new URL(gateway.url), { fetch: gateway.fetch }));
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(await echo(client, 'both__echo')).toEqual({ text: 'hi', era: 'legacy' });
    } finally {
      await client.close();
    }
  });
});
