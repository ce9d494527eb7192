/**
 * The stateless era scales out with nothing shared: three gateway processes behind a real nginx
 * (round robin, no sticky sessions) and no session store. A client of 2026-07-28 (the SDK's v2
 * client) lists and calls through whichever replica nginx picks, every replica serving some of
 * its requests; a listen stream held by one replica is told of an upstream's list change that
 * a call made through another replica caused (each replica follows the upstream itself); and a
 * 2026-07-28 upstream's input_required round is continued by any replica, since the upstream keeps
 * its state in the requestState and the replicas share the key that wraps it.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { Nginx } from '../../scripts/nginx.ts';
import { itWith, nginxServer } from '../helpers/debian.ts';
import {
  startBothErasFixture,
  startFixtureHttp,
  startGateway,
  type FixtureHttp,
  type RunningGateway,
  nginxInFrontOf,
  stopReplicas,
} from '../helpers/processes.ts';
import { httpUpstream } from '../helpers/servers.ts';
import { messagesOf } from '../helpers/in-process.ts';
import { modernRequest } from '../helpers/modern-request.ts';

const it = itWith('the stateless replicas tests', nginxServer);

let fixture: FixtureHttp;
let bothEras: FixtureHttp;
let replicas: RunningGateway[];
let nginx: Nginx;

beforeAll(async () => {
  [fixture, bothEras] = await Promise.all([startFixtureHttp('alpha'), startBothErasFixture()]);
  const config = {
    stateless: { request_state_key: 'the-key-every-replica-is-given-in-its-config' },
    proxy: { servers: [httpUpstream('alpha', fixture.url), httpUpstream('modern', bothEras.url)] },
  };
  replicas = await Promise.all([1, 2, 3].map(() => startGateway({ config })));
  nginx = await nginxInFrontOf(replicas);
});

afterAll(async () => {
  await stopReplicas(nginx, replicas);
  await Promise.all([fixture?.stop(), bothEras?.stop()]);
});

async function modernClient(): Promise<Client> {
  const client = new Client(
    { name: 'stateless', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(`${nginx.url}/mcp`)));
  return client;
}

/** How many tools/call operations each replica logged. */
const callsPerReplica = () =>
  replicas.map(
    (replica) => replica.logs.filter((line) => line.msg === 'mcp operation' && line.method === 'tools/call').length,
  );

it('serves one client from every replica, with no session store', async () => {
  const client = await modernClient();
  try {
    const before = callsPerReplica();
    for (let i = 0; i < 9; i++) {
      const result = await client.callTool({ name: 'alpha__echo', arguments: { text: `hi ${i}` } });
      expect(result.content).toEqual([{ type: 'text', text: `alpha: hi ${i}` }]);
    }
    // Access lines are written once the answers are on their way: the last may come just after.
    const served = () => callsPerReplica().map((n, i) => n - before[i]!);
    await vi.waitFor(() => expect(served().reduce((a, b) => a + b)).toBe(9));
    expect(served().every((n) => n > 0)).toBe(true);
  } finally {
    await client.close();
  }
});

it('tells a listen stream on one replica of a list change caused through another', async () => {
  const listener = await modernClient();
  const caller = await modernClient();
  try {
    const told: unknown[] = [];
    listener.setNotificationHandler('notifications/tools/list_changed', (notification) => void told.push(notification));
    await listener.listen({ toolsListChanged: true });
    // Through nginx, the call lands on any replica; the listen stream is held by one of them.
    await caller.callTool({ name: 'alpha__add_tool', arguments: { name: 'scaled' } });
    await vi.waitFor(() => expect(told.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect((await listener.listTools()).tools.map((tool) => tool.name)).toContain('alpha__scaled');
  } finally {
    await Promise.all([listener.close(), caller.close()]);
  }
});

it("continues a 2026-07-28 upstream's input_required round on another replica, with no session store", async () => {
  const on = (replica: RunningGateway) => ({
    request: (path: string, init?: RequestInit) => fetch(new URL(path, replica.mcpUrl), init),
  });
  const book = async (replica: RunningGateway, extra: Record<string, unknown> = {}) => {
    const params = { name: 'modern__book', arguments: {}, ...extra };
    const elicits = { elicitation: { form: {} } };
    const [message] = await messagesOf(await modernRequest(on(replica), 'tools/call', params, {}, elicits));
    return (message as { result: Record<string, unknown> }).result;
  };
  const first = await book(replicas[0]!);
  expect(first.resultType).toBe('input_required');
  const done = await book(replicas[2]!, {
    inputResponses: { day: { action: 'accept', content: { day: 'Tuesday' } } },
    requestState: first.requestState,
  });
  expect(done.content).toEqual([{ type: 'text', text: 'booked Tuesday (state asked-for-a-day)' }]);
});
