/**
 * Start-up: from spawning `mcp-gateway serve` to the first 200 from GET /ready, a few times per
 * configuration, median. The target is 500 ms plus the upstreams' own start, so that start is
 * timed on its own, from spawn to initialized sessions, the way a bare SDK client sees it:
 * - a stdio upstream is started by the gateway, so all of its start falls inside the gateway's;
 * - HTTP upstreams are started before the gateway, so only their answering the initializations
 *   does: timed with the same number of concurrent SDK clients on a fresh instance (the gateway
 *   gets another fresh one, so it meets the same cold server).
 */
import { performance } from 'node:perf_hooks';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectedClient } from './client.ts';
import { httpUpstream, startGateway, stdioUpstream } from './gateway.ts';
import { rssKb, startEchoServer, stdioEchoArgs, stop } from './processes.ts';
import { Checks, fixed, mib, type Section } from './report.ts';

const repetitions = 5;
const budgetMs = 500;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface UpstreamStart {
  /** Spawn to initialized. */
  readonly ownMs: number;
  /** The part of it that falls inside the gateway's spawn → /ready. */
  readonly duringGatewayMs: number;
}

/** Spawn to initialized, the way the gateway starts a stdio upstream. */
async function stdioStart(): Promise<UpstreamStart> {
  const started = performance.now();
  const client = await connectedClient(new StdioClientTransport({ command: process.execPath, args: stdioEchoArgs() }));
  const elapsed = performance.now() - started;
  await client.close();
  return { ownMs: elapsed, duringGatewayMs: elapsed };
}

/** A fresh HTTP echo server: spawn to listening, then `sessions` concurrent initializations. */
async function httpStart(sessions: number, tools: number): Promise<UpstreamStart> {
  const echo = await startEchoServer(tools);
  try {
    const started = performance.now();
    const clients = await Promise.all(
      Array.from({ length: sessions }, (_, i) =>
        connectedClient(new StreamableHTTPClientTransport(new URL(echo.url(`/mcp/${i + 1}`)))),
      ),
    );
    const initializingMs = performance.now() - started;
    await Promise.all(clients.map((client) => client.close()));
    return { ownMs: echo.startMs + initializingMs, duringGatewayMs: initializingMs };
  } finally {
    await stop(echo.started.child);
  }
}

interface Case {
  readonly name: string;
  /** The upstreams' own start, and the gateway config that uses them. */
  prepare(): Promise<{ upstream: UpstreamStart; config: object; done(): Promise<void> }>;
}

const httpCase = (name: string, upstreams: number, tools: number): Case => ({
  name,
  async prepare() {
    const upstream = await httpStart(upstreams, tools);
    const echo = await startEchoServer(tools);
    const servers = Array.from({ length: upstreams }, (_, i) => httpUpstream(`s${i + 1}`, echo.url(`/mcp/${i + 1}`)));
    return { upstream, config: { proxy: { servers } }, done: () => stop(echo.started.child) };
  },
});

const cases: readonly Case[] = [
  httpCase('1 Streamable HTTP upstream', 1, 0),
  httpCase('20 Streamable HTTP upstreams × 200 tools', 20, 200),
  {
    name: '1 stdio upstream, started by the gateway',
    async prepare() {
      return {
        upstream: await stdioStart(),
        config: { proxy: { servers: [stdioUpstream('s1')] } },
        done: async () => {},
      };
    },
  },
];

export async function startupSection(progress: (line: string) => void): Promise<Section> {
  const checks = new Checks();
  const data = [];
  const rows = [];
  for (const c of cases) {
    const upstreamOwn: number[] = [];
    const upstreamDuring: number[] = [];
    const listening: number[] = [];
    const ready: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const { upstream, config, done } = await c.prepare();
      try {
        const gateway = await startGateway(config);
        upstreamOwn.push(upstream.ownMs);
        upstreamDuring.push(upstream.duringGatewayMs);
        listening.push(gateway.listeningMs);
        ready.push(gateway.readyMs);
        rss.push(rssKb(gateway.pid));
        await gateway.stop();
      } finally {
        await done();
      }
    }
    progress(`startup: ${c.name} done`);
    const budget = budgetMs + median(upstreamDuring);
    const msText = (n: number) => `${fixed(0)(n)} ms`;
    rows.push([
      c.name,
      fixed(0)(median(upstreamOwn)),
      fixed(0)(median(upstreamDuring)),
      fixed(0)(median(listening)),
      `${checks.atMost(`start-up to /ready, ${c.name}`, median(ready), budget, msText)} (${fixed(0)(Math.min(...ready))}–${fixed(0)(Math.max(...ready))})`,
      mib(median(rss)),
    ]);
    data.push({
      name: c.name,
      upstreamStartMs: upstreamOwn,
      upstreamDuringGatewayMs: upstreamDuring,
      listeningMs: listening,
      readyMs: ready,
      rssAtReadyKb: rss,
      budgetMs: budget,
    });
  }
  return {
    key: 'startup',
    title: 'Gateway start-up to /ready',
    settings:
      `Median of ${repetitions} starts of \`mcp-gateway serve\` (from its build, as \`npm start\` runs it), from spawn to the first 200 from GET /ready, seen as its "mcp-gateway ready" log line (when /ready turns 200; checked with one GET /ready after it: polling every few ms slows the start it measures). ` +
      `An upstream's own start is spawn to initialized sessions, as bare SDK clients see it (stdio: spawn and initialize; HTTP: spawn to listening, then as many concurrent initializations as the gateway makes, on a fresh instance). ` +
      `Budget: ${budgetMs} ms plus the part of the upstreams' own start that falls inside the gateway's (HTTP upstreams are started before the gateway, so only their initializations).`,
    columns: [
      'upstreams',
      "upstream's own start ms",
      'of which inside the gateway start ms',
      'spawn → listening ms',
      'spawn → /ready (min–max)',
      'RSS at ready MiB',
    ],
    rows,
    checks: checks.list,
    notes: [],
    data,
  };
}
