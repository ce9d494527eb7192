/**
 * The sections that put the gateway next to the same work done directly, in alternating rounds:
 * tools/call to a Streamable HTTP upstream, tools/call to a stdio upstream (against the SDK's own
 * HTTP server), and tools/list over 20 upstreams of 200 tools.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { alternate, type CompareOptions, type Target } from './compare.ts';
import { httpUpstream, startGateway, stdioUpstream } from './gateway.ts';
import { rssKb, sleep, start, startEchoServer, stop, typeScriptArgs, watchRss, type EchoServer } from './processes.ts';
import { Checks, latencies, mib, ms, perSecond, ratio, type Section } from './report.ts';
import { connectedClient } from './client.ts';
import { gcBetween, gcCounts, gcNote } from './gc.ts';

type Progress = (line: string) => void;
type ClientKind = NonNullable<Target['client']>;
const clientNames: Record<ClientKind, string> = {
  sdk: 'SDK',
  raw: 'raw HTTP',
  stateless: 'raw HTTP, stateless (2026-07-28)',
};

interface Targets {
  readonly minRatio?: number;
  readonly maxAddedP50?: number;
  readonly maxGatewayP50?: number;
}

interface VersusDirect {
  readonly key: string;
  readonly title: string;
  /** What "direct" and "gateway" are. */
  readonly setup: string;
  readonly direct: Omit<Target, 'name'>;
  readonly gatewayConfig: object;
  readonly gatewayOperation: Target['operation'];
  /** Each kind of client measures both sides; default: the SDK's. */
  readonly clients?: readonly ClientKind[];
  readonly targets: (concurrency: number, client: ClientKind) => Targets;
  /** A third party measured alongside, with the direct client's operation (the byte proxy). */
  readonly reference?: { readonly label: string; readonly url: string };
  /** Checked once the gateway is ready: why its setup is not what this section means to measure. */
  readonly verify?: (mcpUrl: string) => Promise<string | undefined>;
}

async function versusDirect(spec: VersusDirect, options: CompareOptions, progress: Progress): Promise<Section> {
  const gateway = await startGateway(spec.gatewayConfig);
  try {
    const problem = await spec.verify?.(gateway.mcpUrl);
    if (problem) throw new Error(problem);
    const kinds = spec.clients ?? ['sdk'];
    const idle = rssKb(gateway.pid);
    const metricsUrl = new URL('/metrics', gateway.mcpUrl).href;
    const gcBefore = await gcCounts(metricsUrl);
    const watch = watchRss(gateway.pid);
    const { reference } = spec;
    const targets = kinds.flatMap((client): Target[] => [
      { ...spec.direct, name: `direct ${client}`, client },
      { name: `gateway ${client}`, url: gateway.mcpUrl, operation: spec.gatewayOperation, client },
      ...(reference ? [{ ...spec.direct, name: `reference ${client}`, url: reference.url, client }] : []),
    ]);
    const { levels, failures } = await alternate(targets, options, (line) => progress(`${spec.key}: ${line}`));
    const peak = watch.stop();
    const gc = gcBetween(gcBefore, await gcCounts(metricsUrl));
    await sleep(1000);
    const after = rssKb(gateway.pid);
    if (Object.keys(failures).length)
      throw new Error(
        Object.entries(failures)
          .map(([name, why]) => `${name}: ${why}`)
          .join('; '),
      );

    const checks = new Checks();
    const rows = levels.flatMap(({ concurrency: c, results }) =>
      kinds.map((kind) => {
        const direct = results[`direct ${kind}`]!;
        const viaGateway = results[`gateway ${kind}`]!;
        const quotient = viaGateway.callsPerSecond / direct.callsPerSecond;
        const added = viaGateway.p50 - direct.p50;
        const { minRatio, maxAddedP50, maxGatewayP50 } = spec.targets(c, kind);
        const at = `at ${c} client${c === 1 ? '' : 's'}${kinds.length > 1 ? ` (${clientNames[kind]})` : ''}`;
        const msText = (n: number) => `${ms(n)} ms`;
        return [
          ...(kinds.length > 1 ? [clientNames[kind]] : []),
          String(c),
          perSecond(direct.callsPerSecond),
          perSecond(viaGateway.callsPerSecond),
          minRatio === undefined
            ? ratio(quotient)
            : checks.atLeast(`gateway ÷ direct ${at}`, quotient, minRatio, ratio),
          ...(reference ? [ratio(results[`reference ${kind}`]!.callsPerSecond / direct.callsPerSecond)] : []),
          latencies(direct),
          maxGatewayP50 === undefined
            ? latencies(viaGateway)
            : `${checks.atMost(`gateway p50 ${at}`, viaGateway.p50, maxGatewayP50, msText)} / ${ms(viaGateway.p90)} / ${ms(viaGateway.p99)}`,
          maxAddedP50 === undefined ? ms(added) : checks.atMost(`added p50 ${at}`, added, maxAddedP50, msText),
          String(direct.errors + viaGateway.errors),
        ];
      }),
    );
    const columns = [
      'clients',
      'direct req/s',
      'gateway req/s',
      'gateway ÷ direct',
      ...(reference ? [`${reference.label} ÷ direct`] : []),
      'direct p50 / p90 / p99 ms',
      'gateway p50 / p90 / p99 ms',
      'added p50 ms',
      'errors',
    ];
    return {
      key: spec.key,
      title: spec.title,
      settings:
        `${spec.setup} ${options.rounds} alternating round${options.rounds === 1 ? '' : 's'} (direct, gateway${reference ? `, ${reference.label}` : ''}; each round starts one later) of ` +
        `${options.durationMs / 1000} s per side after ${options.warmupMs / 1000} s of warm-up; closed-loop clients, each initialized once, in one process on the same machine.` +
        (reference
          ? ` The ${reference.label} (scripts/bench/byte-proxy.ts) pipes bytes without reading them: the ceiling for any Node process in the path.`
          : ''),
      align: kinds.length > 1 ? `l${'r'.repeat(columns.length)}` : 'r'.repeat(columns.length),
      columns: kinds.length > 1 ? ['client', ...columns] : columns,
      rows,
      checks: checks.list,
      notes: [`Gateway RSS: ${mib(idle)} MiB idle, ${mib(peak)} MiB at peak, ${mib(after)} MiB after.`, gcNote(gc)],
      data: { levels, gatewayRssKb: { idle, peak, after }, gatewayGc: gc },
    };
  } finally {
    await gateway.stop();
  }
}

async function withEchoServers<T>(tools: readonly number[], run: (servers: EchoServer[]) => Promise<T>): Promise<T> {
  const servers = await Promise.all(tools.map((n) => startEchoServer(n)));
  try {
    return await run(servers);
  } finally {
    await Promise.all(servers.map((server) => stop(server.started.child)));
  }
}

export const callSection = (options: CompareOptions, progress: Progress) =>
  withEchoServers([0], ([echo]) =>
    withByteProxy(echo!.url(), (proxied) =>
      versusDirect(
        {
          key: 'call',
          title: 'tools/call `echo` to a Streamable HTTP upstream, direct and through the gateway',
          setup:
            "Upstream: the SDK's low-level `Server` over Streamable HTTP on loopback (scripts/bench/echo-server.ts).",
          direct: { url: echo!.url(), operation: { kind: 'call', tool: 'echo' } },
          gatewayConfig: { proxy: { servers: [httpUpstream('bench', echo!.url())] } },
          gatewayOperation: { kind: 'call', tool: 'bench__echo' },
          targets: (c) => ({
            minRatio: ({ 1: 0.8, 16: 0.75 } as Record<number, number>)[c],
            maxAddedP50: c === 1 ? 0.3 : undefined,
          }),
          reference: { label: 'byte proxy', url: proxied },
        },
        options,
        progress,
      ),
    ),
  );

/** scripts/bench/byte-proxy.ts in front of `url`, for as long as `run` runs (given its URL for `url` and its pid). */
export async function withByteProxy<T>(url: string, run: (proxied: string, pid: number) => Promise<T>): Promise<T> {
  const target = new URL(url);
  const started = await start(
    process.execPath,
    typeScriptArgs('scripts/bench/byte-proxy.ts', '--target', target.origin),
    {
      label: 'byte-proxy',
      ready: /\{"port":(\d+)\}/,
    },
  );
  try {
    return await run(`http://127.0.0.1:${started.match![1]}${target.pathname}`, started.pid);
  } finally {
    await stop(started.child);
  }
}

export const stdioSection = (options: CompareOptions, progress: Progress) =>
  withEchoServers([0], ([echo]) =>
    versusDirect(
      {
        key: 'stdio',
        title: "tools/call `echo`: a stdio upstream served over HTTP by the gateway, against the SDK's own HTTP server",
        setup:
          "Direct: the SDK's low-level `Server` with its Streamable HTTP transport on loopback. Gateway: the same server as the gateway's child process over stdio (one child, shared by all clients).",
        direct: { url: echo!.url(), operation: { kind: 'call', tool: 'echo' } },
        gatewayConfig: { proxy: { servers: [stdioUpstream('bench')] } },
        gatewayOperation: { kind: 'call', tool: 'bench__echo' },
        targets: (c) => ({ minRatio: c === 1 || c === 16 ? 1 : undefined }),
      },
      options,
      progress,
    ),
  );

const listUpstreams = 20;
const toolsPerUpstream = 200;

export const listSection = (options: CompareOptions, progress: Progress) => {
  // echo and add come with the dummies: each upstream has 202 tools, the direct reference all of them at once.
  const total = listUpstreams * (toolsPerUpstream + 2);
  return withEchoServers([toolsPerUpstream, total - 2], ([upstreams, reference]) =>
    versusDirect(
      {
        key: 'list',
        title: `tools/list over ${listUpstreams} upstreams × ${toolsPerUpstream} tools through the gateway`,
        setup:
          `Gateway: ${listUpstreams} Streamable HTTP upstreams of ${toolsPerUpstream + 2} tools each, ${total.toLocaleString('en')} tools listed in one page (\`proxy.page_size: 0\`). ` +
          `Direct, for the client's own share of the time: one upstream that lists the same number of tools. ` +
          "SDK: the SDK's client, which validates every tool it receives; raw HTTP: the same requests, each answer read whole but not parsed (the target applies to these).",
        direct: { url: reference!.url(), operation: { kind: 'list' } },
        gatewayConfig: {
          proxy: {
            page_size: 0,
            servers: Array.from({ length: listUpstreams }, (_, i) =>
              httpUpstream(`s${i + 1}`, upstreams!.url(`/mcp/${i + 1}`)),
            ),
          },
        },
        gatewayOperation: { kind: 'list' },
        clients: ['sdk', 'raw'],
        targets: (c, client) => ({ maxGatewayP50: c === 1 && client === 'raw' ? 2 : undefined }),
        verify: async (url) => {
          const listed = await countTools(url);
          return listed === total ? undefined : `the gateway lists ${listed} tools, not ${total}`;
        },
      },
      options,
      progress,
    ),
  );
};

async function countTools(url: string): Promise<number> {
  const client = await connectedClient(new StreamableHTTPClientTransport(new URL(url)));
  try {
    return (await client.listTools()).tools.length;
  } finally {
    await client.close();
  }
}
