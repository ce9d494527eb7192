/**
 * The audit plugin in a real gateway process (`mcp-gateway serve`), driven by the SDK's client:
 * - stdout: records share stdout with pino's log lines, told apart by `"type": "audit"`;
 * - a collector that never answers: tool calls are not slowed, records beyond `max_queue` are
 *   dropped and counted (`/metrics` and one warning), and the shutdown gives up on the collector
 *   within its hook's time, counting what it lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, textOf } from '../../test/helpers/client.ts';
import { parseExposition } from '../../test/helpers/exposition.ts';
import { startGateway, type RunningGateway } from '../../test/helpers/processes.ts';
import { stdioFixture } from '../../test/helpers/servers.ts';

let gateway: RunningGateway | undefined;
let collector: Server | undefined;
afterEach(async () => {
  await gateway?.stop('SIGKILL');
  collector?.closeAllConnections();
  collector?.close();
  gateway = collector = undefined;
});

const isDropWarning = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('audit records dropped');

describe('stdout sink', () => {
  it('writes one JSON line per call on stdout, with type "audit", apart from the log lines', async () => {
    gateway = await startGateway({ config: { audit: {}, proxy: { servers: [stdioFixture('alpha')] } } });
    const client = await connectClient(gateway.mcpUrl);
    expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: 'hi' } }))).toBe('alpha: hi');
    const record = await gateway.waitForLog((line) => line.type === 'audit');
    expect(record).toEqual({
      type: 'audit',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      request_id: expect.any(String),
      session_id: expect.any(String),
      endpoint: 'default',
      subject: null,
      method: 'tools/call',
      kind: 'tool',
      server: 'alpha',
      name: 'echo',
      exposed: 'alpha__echo',
      decision: 'allowed',
      outcome: 'success',
      reason: null,
      error: null,
      duration_ms: expect.any(Number),
    });
    const access = await gateway.waitForLog((line) => line.msg === 'mcp operation' && line.method === 'tools/call');
    expect(access.type).toBeUndefined();
    expect(record.request_id).toBe(access.request_id);
    await client.close();
    expect(await gateway.stop()).toBe(0);
    expect(gateway.logs.filter((line) => line.type === 'audit')).toHaveLength(1);
  });
});

describe('a collector that never answers', () => {
  it('slows no call; drops beyond max_queue are counted and reported; the shutdown gives up in time', async () => {
    let posts = 0;
    collector = createServer((req) => {
      posts++;
      req.resume(); // read the batch, never answer
    });
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/ingest`;
    gateway = await startGateway({
      config: {
        audit: {
          sink: 'http',
          max_queue: 3,
          http: { url, batch_size: 1, flush_interval: 0, timeout: '5m', retries: 0 },
        },
        proxy: { servers: [stdioFixture('alpha')] },
      },
    });
    const client = await connectClient(gateway.mcpUrl);
    await client.callTool({ name: 'alpha__echo', arguments: { text: 'warm-up' } }); // its record is the batch that hangs

    const calls = 20;
    const durations: number[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: `call ${i}` } }))).toBe(
        `alpha: call ${i}`,
      );
      durations.push(performance.now() - started);
    }
    // An echo through the gateway takes a few milliseconds; a wait on the collector would take minutes.
    expect(Math.max(...durations)).toBeLessThan(1000);
    expect(durations.toSorted((a, b) => a - b)[calls / 2]).toBeLessThan(100);
    expect(posts).toBe(1);

    // The warm-up's record is being POSTed; 3 wait (max_queue); the other 17 were dropped.
    const metrics = parseExposition(await (await fetch(`${gateway.baseUrl}/metrics`)).text());
    expect(metrics.series('mcp_gateway_audit_dropped_total')).toEqual({
      'reason="queue_full"': 17,
      'reason="sink_error"': 0,
      'reason="shutdown"': 0,
    });
    expect(metrics.value('mcp_gateway_audit_records_total')).toBe(0);
    // One warning at the first drop; the next ones wait for the minute (or the shutdown).
    const first = await gateway.waitForLog(isDropWarning);
    expect(first).toMatchObject({
      level: 40,
      plugin: 'audit',
      dropped: 1,
      by_reason: { queue_full: 1 },
      dropped_total: 1,
    });
    expect(gateway.logs.filter(isDropWarning)).toHaveLength(1);
    await client.close();

    const stopping = performance.now();
    expect(await gateway.stop()).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(8000); // the onShutdown hook's 5 s, then exit
    const last = gateway.logs.filter(isDropWarning).at(-1);
    expect(last).toMatchObject({ dropped: 20, by_reason: { queue_full: 16, shutdown: 4 }, dropped_total: 21 });
  });
});
