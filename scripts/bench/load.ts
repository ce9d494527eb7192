/** Closed-loop load: C initialized SDK clients, each calling as fast as answers come back. */
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface LoadResult {
  readonly calls: number;
  readonly errors: number;
  readonly callsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** One request: a tools/call of this tool, or a tools/list. */
  readonly operation: { kind: 'call'; tool: string } | { kind: 'list' };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      const client = new Client({ name: 'mcp-gateway-bench', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(options.url)));
      return client;
    }),
  );
  const once = (client: Client) =>
    options.operation.kind === 'list'
      ? client.listTools()
      : client.callTool({ name: options.operation.tool, arguments: { text: 'hello', a: 1, b: 2 } });

  const loop = async (client: Client, until: number, record?: { latencies: number[]; errors: number }) => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        await once(client);
        record?.latencies.push(performance.now() - started);
      } catch {
        if (record) record.errors++;
      }
    }
  };

  const warmupEnd = performance.now() + options.warmupMs;
  await Promise.all(clients.map((client) => loop(client, warmupEnd)));
  const record = { latencies: [] as number[], errors: 0 };
  const started = performance.now();
  await Promise.all(clients.map((client) => loop(client, started + options.durationMs, record)));
  const elapsed = performance.now() - started;
  await Promise.all(clients.map((client) => client.close()));

  const sorted = record.latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    calls: sorted.length,
    errors: record.errors,
    callsPerSecond: (sorted.length / elapsed) * 1000,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
  };
}
