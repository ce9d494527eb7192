/**
 * Start-up: from spawning `mcp-gateway serve` to the first 200 from GET /ready, a few times per
 * configuration, median. The target is 500 ms plus the upstreams' own start, so that start is
 * timed on its own: an HTTP upstream is started (and timed) before the gateway, a stdio upstream is
 * started by the gateway and timed alone with the SDK's stdio client.
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { httpUpstream, startGateway, stdioUpstream } from './gateway.ts';
import { rssKb, startEchoServer, stdioEchoArgs, stop, type EchoServer } from './processes.ts';
import { Checks, fixed, mib, type Section } from './report.ts';

const repetitions = 5;
const budgetMs = 500;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Spawn to initialized, the way the gateway starts a stdio upstream. */
async function stdioStartMs(): Promise<number> {
  const started = performance.now();
  const client = new Client({ name: 'mcp-gateway-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: stdioEchoArgs() }));
  const elapsed = performance.now() - started;
  await client.close();
  return elapsed;
}

interface Case {
  readonly name: string;
  /** Upstreams the gateway starts itself, whose start counts in its time to /ready. */
  readonly startedByGateway: boolean;
  /** The upstreams' own start, ms, and the gateway config that uses them. */
  prepare(): Promise<{ upstreamMs: number; config: object; done(): Promise<void> }>;
}

const httpCase = (name: string, upstreams: number, tools: number): Case => ({
  name,
  startedByGateway: false,
  async prepare() {
    const echo: EchoServer = await startEchoServer(tools);
    const servers = Array.from({ length: upstreams }, (_, i) => httpUpstream(`s${i + 1}`, echo.url(`/mcp/${i + 1}`)));
    return { upstreamMs: echo.startMs, config: { proxy: { servers } }, done: () => stop(echo.started.child) };
  },
});

const cases: readonly Case[] = [
  httpCase('1 Streamable HTTP upstream', 1, 0),
  httpCase('20 Streamable HTTP upstreams × 200 tools', 20, 200),
  {
    name: '1 stdio upstream, started by the gateway',
    startedByGateway: true,
    async prepare() {
      return { upstreamMs: await stdioStartMs(), config: { proxy: { servers: [stdioUpstream('s1')] } }, done: async () => {} };
    },
  },
];

export async function startupSection(progress: (line: string) => void): Promise<Section> {
  const checks = new Checks();
  const data = [];
  const rows = [];
  for (const c of cases) {
    const upstream: number[] = [];
    const listening: number[] = [];
    const ready: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const { upstreamMs, config, done } = await c.prepare();
      try {
        const gateway = await startGateway(config);
        upstream.push(upstreamMs);
        listening.push(gateway.listeningMs);
        ready.push(gateway.readyMs);
        rss.push(rssKb(gateway.pid));
        await gateway.stop();
      } finally {
        await done();
      }
    }
    progress(`startup: ${c.name} done`);
    const budget = budgetMs + (c.startedByGateway ? median(upstream) : 0);
    const msText = (n: number) => `${fixed(0)(n)} ms`;
    rows.push([
      c.name,
      fixed(0)(median(upstream)),
      fixed(0)(median(listening)),
      `${checks.atMost(`start-up to /ready, ${c.name}`, median(ready), budget, msText)} (${fixed(0)(Math.min(...ready))}–${fixed(0)(Math.max(...ready))})`,
      mib(median(rss)),
    ]);
    data.push({ name: c.name, upstreamStartMs: upstream, listeningMs: listening, readyMs: ready, rssAtReadyKb: rss, budgetMs: budget });
  }
  return {
    key: 'startup',
    title: 'Gateway start-up to /ready',
    settings:
      `Median of ${repetitions} starts of \`mcp-gateway serve\` (TypeScript loaded through tsx, as \`npm start\` does), from spawn to the first 200 from GET /ready, polled every 2 ms once the gateway listens. ` +
      `Budget: ${budgetMs} ms plus the start of the upstreams the gateway starts itself; HTTP upstreams were already running (their own start, spawn to listening, is shown for reference).`,
    columns: ['upstreams', "upstream's own start ms", 'spawn → listening ms', 'spawn → /ready (min–max)', 'RSS at ready MiB'],
    rows,
    checks: checks.list,
    notes: [],
    data,
  };
}
