/**
 * Closed-loop load: C clients, each initialized once, each sending its next request as soon as the
 * last one is answered. The clients are the SDK's, or raw HTTP requests (`client: 'raw'`) that read
 * each answer whole but do not parse it, so that only the server's side is measured.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openSession, rpc, send, statelessRpc } from './raw-http.ts';
import { connectedClient } from './client.ts';
import { cpuMs } from './processes.ts';

export interface LoadResult {
  readonly calls: number;
  readonly errors: number;
  readonly callsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** With `cpuOf`: the CPU time (user + system, ms) that process used over the measured window. */
  readonly cpuMs?: number;
}

export interface LoadOptions {
  readonly url: string;
  /** The SDK's client (default), raw HTTP requests in a session, or raw stateless requests (2026-07-28). */
  readonly client?: 'sdk' | 'raw' | 'stateless';
  /** How the SDK client reaches the server: Streamable HTTP, or the legacy HTTP+SSE transport (for servers that only have that). */
  readonly transport?: 'streamable-http' | 'sse';
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** One request: a tools/call of this tool, or a tools/list. */
  readonly operation: { kind: 'call'; tool: string } | { kind: 'list' };
  /** A server process whose CPU time over the measured window is read from /proc (Linux). */
  readonly cpuOf?: number;
}

const toolArguments = { text: 'hello', a: 1, b: 2 };

/**
 * fetch for the SDK's transports, which pass one AbortSignal to all their requests: undici drops
 * each request's listener on it only once that request is garbage-collected, so a closed loop
 * outruns it and Node warns of a leak (one warning per request past 1,500, each costing this
 * process time). No limit on that signal (0), which also stops undici from setting one.
 */
export const sharedSignalFetch = (url: string | URL, init?: RequestInit) => {
  if (init?.signal) setMaxListeners(0, init.signal);
  return fetch(url, init);
};

/** A connected client: `once` sends one request and resolves with its answer. */
interface Connected {
  once(): Promise<unknown>;
  close(): Promise<void>;
}

async function connectSdk(options: LoadOptions): Promise<Connected> {
  const url = new URL(options.url);
  const transport =
    options.transport === 'sse'
      ? new SSEClientTransport(url, { fetch: sharedSignalFetch })
      : new StreamableHTTPClientTransport(url, { fetch: sharedSignalFetch });
  const client = await connectedClient(transport);
  const { operation } = options;
  return {
    once: () =>
      operation.kind === 'list'
        ? client.listTools()
        : client.callTool({ name: operation.tool, arguments: toolArguments }),
    // Closing the client alone leaves its session open on the server (and, for supergateway
    // --stateful, a child process per session), which would burden every later round.
    close: async () => {
      if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

async function connectRaw(options: LoadOptions): Promise<Connected> {
  const url = new URL(options.url);
  const sessionId = await openSession(url);
  const { operation } = options;
  let id = 0;
  return {
    once: () =>
      operation.kind === 'list'
        ? rpc(url, sessionId, ++id, 'tools/list')
        : rpc(url, sessionId, ++id, 'tools/call', { name: operation.tool, arguments: toolArguments }),
    close: () =>
      send(url, 'DELETE', undefined, sessionId).then(
        () => {},
        () => {},
      ),
  };
}

/** Requests of the stateless era: nothing to open or close. */
async function connectStateless(options: LoadOptions): Promise<Connected> {
  const url = new URL(options.url);
  const { operation } = options;
  let id = 0;
  return {
    once: () =>
      operation.kind === 'list'
        ? statelessRpc(url, ++id, 'tools/list')
        : statelessRpc(url, ++id, 'tools/call', { name: operation.tool, arguments: toolArguments }),
    close: async () => {},
  };
}

const connectors = { sdk: connectSdk, raw: connectRaw, stateless: connectStateless };

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const connect = connectors[options.client ?? 'sdk'];
  const clients = await Promise.all(Array.from({ length: options.concurrency }, () => connect(options)));

  const loop = async (client: Connected, until: number, record?: { latencies: number[]; errors: number }) => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        await client.once();
        record?.latencies.push(performance.now() - started);
      } catch {
        if (record) record.errors++;
      }
    }
  };

  const warmupEnd = performance.now() + options.warmupMs;
  await Promise.all(clients.map((client) => loop(client, warmupEnd)));
  const record = { latencies: [] as number[], errors: 0 };
  const cpuBefore = options.cpuOf === undefined ? undefined : cpuMs(options.cpuOf);
  const started = performance.now();
  await Promise.all(clients.map((client) => loop(client, started + options.durationMs, record)));
  const elapsed = performance.now() - started;
  const cpu = cpuBefore === undefined ? undefined : cpuMs(options.cpuOf!) - cpuBefore;
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
    ...(cpu !== undefined && { cpuMs: cpu }),
  };
}

/** Several rounds as one: calls and errors add up (one error must never round away), the rest is the mean. */
export function combine(results: readonly LoadResult[]): LoadResult {
  const total = (key: keyof LoadResult) => results.reduce((sum, result) => sum + (result[key] ?? 0), 0);
  const mean = (key: keyof LoadResult) => total(key) / results.length;
  return {
    calls: total('calls'),
    errors: total('errors'),
    callsPerSecond: mean('callsPerSecond'),
    p50: mean('p50'),
    p90: mean('p90'),
    p99: mean('p99'),
    ...(results.every((result) => result.cpuMs !== undefined) && { cpuMs: total('cpuMs') }),
  };
}
