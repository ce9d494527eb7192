/**
 * The two protocol eras through the gateway, in one run: tools/call from raw HTTP clients to an
 * upstream of each era, direct, through the gateway and through the byte proxy, with the CPU time
 * the gateway and the byte proxy spent per call (read from /proc around each measured window).
 *
 *   2026-07-28: stateless requests to the SDK v2's `createMcpHandler` (modern-echo-server.ts),
 *               reached by the gateway in that era (pinned).
 *   2025:       requests in a session to the SDK 1.x `Server` (echo-server.ts), reached by the
 *               gateway in the 2025 era; and stateless 2026-07-28 requests to the gateway for it.
 *
 * One gateway serves both upstreams, so that every path goes through the same process; its
 * windows never overlap, so its CPU time over one is that path's alone (its idle timers aside).
 */
import { alternate, type CompareOptions, type Target } from './compare.ts';
import { httpUpstream, startGateway } from './gateway.ts';
import type { LoadResult } from './load.ts';
import { startEchoServer, startModernEchoServer, stop } from './processes.ts';
import { Checks, fixed, latencies, perSecond, ratio, type Section } from './report.ts';
import { withByteProxy } from './throughput.ts';

type Path =
  | 'modern direct'
  | 'modern gateway'
  | 'modern proxy'
  | 'legacy direct'
  | 'session'
  | 'stateless'
  | 'legacy proxy';

const rowsOf: readonly { path: Path; label: string }[] = [
  { path: 'modern direct', label: '2026-07-28 → upstream (direct)' },
  { path: 'modern gateway', label: '2026-07-28 → gateway → 2026-07-28' },
  { path: 'modern proxy', label: '2026-07-28 → byte proxy → 2026-07-28' },
  { path: 'legacy direct', label: '2025 session → upstream (direct)' },
  { path: 'session', label: '2025 session → gateway → 2025' },
  { path: 'stateless', label: '2026-07-28 → gateway → 2025' },
  { path: 'legacy proxy', label: '2025 session → byte proxy → 2025' },
];

/** Each path's direct side and byte proxy, whose CPU per call the gateway's is held against. */
const eraOf: Record<Path, { direct: Path; proxy: Path }> = {
  'modern direct': { direct: 'modern direct', proxy: 'modern proxy' },
  'modern gateway': { direct: 'modern direct', proxy: 'modern proxy' },
  'modern proxy': { direct: 'modern direct', proxy: 'modern proxy' },
  'legacy direct': { direct: 'legacy direct', proxy: 'legacy proxy' },
  session: { direct: 'legacy direct', proxy: 'legacy proxy' },
  stateless: { direct: 'legacy direct', proxy: 'legacy proxy' },
  'legacy proxy': { direct: 'legacy direct', proxy: 'legacy proxy' },
};

const microseconds = fixed(0);
const cpuPerCall = (result: LoadResult) => ((result.cpuMs ?? Number.NaN) * 1000) / result.calls;

export async function erasSection(options: CompareOptions, progress: (line: string) => void): Promise<Section> {
  const legacy = await startEchoServer(0);
  try {
    const modern = await startModernEchoServer();
    try {
      return await withByteProxy(legacy.url(), (legacyProxied, legacyProxyPid) =>
        withByteProxy(modern.url(), (modernProxied, modernProxyPid) =>
          measure(
            {
              legacy: legacy.url(),
              modern: modern.url(),
              legacyProxied,
              legacyProxyPid,
              modernProxied,
              modernProxyPid,
            },
            options,
            progress,
          ),
        ),
      );
    } finally {
      await stop(modern.started.child);
    }
  } finally {
    await stop(legacy.started.child);
  }
}

interface Upstreams {
  readonly legacy: string;
  readonly modern: string;
  readonly legacyProxied: string;
  readonly legacyProxyPid: number;
  readonly modernProxied: string;
  readonly modernProxyPid: number;
}

async function measure(up: Upstreams, options: CompareOptions, progress: (line: string) => void): Promise<Section> {
  const gateway = await startGateway({
    proxy: {
      servers: [
        { ...httpUpstream('legacy', up.legacy), protocol: '2025-11-25' },
        { ...httpUpstream('modern', up.modern), protocol: '2026-07-28' },
      ],
    },
  });
  try {
    const echo = { kind: 'call', tool: 'echo' } as const;
    const targets: (Target & { name: Path })[] = [
      { name: 'modern direct', url: up.modern, client: 'stateless', operation: echo },
      {
        name: 'modern gateway',
        url: gateway.mcpUrl,
        client: 'stateless',
        operation: { kind: 'call', tool: 'modern__echo' },
        cpuOf: gateway.pid,
      },
      { name: 'modern proxy', url: up.modernProxied, client: 'stateless', operation: echo, cpuOf: up.modernProxyPid },
      { name: 'legacy direct', url: up.legacy, client: 'raw', operation: echo },
      {
        name: 'session',
        url: gateway.mcpUrl,
        client: 'raw',
        operation: { kind: 'call', tool: 'legacy__echo' },
        cpuOf: gateway.pid,
      },
      {
        name: 'stateless',
        url: gateway.mcpUrl,
        client: 'stateless',
        operation: { kind: 'call', tool: 'legacy__echo' },
        cpuOf: gateway.pid,
      },
      { name: 'legacy proxy', url: up.legacyProxied, client: 'raw', operation: echo, cpuOf: up.legacyProxyPid },
    ];
    const { levels, failures } = await alternate(targets, options, (line) => progress(`eras: ${line}`));
    const failed = Object.entries(failures);
    if (failed.length) throw new Error(failed.map(([name, why]) => `${name}: ${why}`).join('; '));
    const checks = new Checks();
    const rows = levels.flatMap(({ concurrency: c, results }) => {
      const of = (path: Path) => results[path]!;
      const at = `at ${c} client${c === 1 ? '' : 's'}`;
      return rowsOf.map(({ path, label }) => {
        const result = of(path);
        const { direct, proxy } = eraOf[path];
        const throughGateway = path === 'modern gateway' || path === 'session' || path === 'stateless';
        const toDirect = result.callsPerSecond / of(direct).callsPerSecond;
        const toSession = result.callsPerSecond / of('session').callsPerSecond;
        const cpu = cpuPerCall(result);
        const toProxyCpu = cpu / cpuPerCall(of(proxy));
        const era = path === 'modern gateway' ? '2026-07-28' : '2025';
        return [
          String(c),
          label,
          perSecond(result.callsPerSecond),
          latencies(result),
          path === direct
            ? '—'
            : path === 'modern gateway' && c === 1
              ? checks.atLeast(`2026-07-28 gateway ÷ direct ${at}`, toDirect, 0.8, ratio)
              : ratio(toDirect),
          path === 'modern gateway'
            ? checks.atLeast(`2026-07-28 path ÷ 2025 session path ${at}`, toSession, 1, ratio)
            : path === 'stateless'
              ? checks.atLeast(`stateless ÷ session (2025 upstream) ${at}`, toSession, 1, ratio)
              : '—',
          result.cpuMs === undefined ? '—' : microseconds(cpu),
          path === 'modern gateway' || path === 'session'
            ? checks.atMost(`gateway CPU ÷ byte proxy CPU per call, ${era} era, ${at}`, toProxyCpu, 1.25, ratio)
            : throughGateway
              ? ratio(toProxyCpu)
              : '—',
          String(result.errors),
        ];
      });
    });
    return {
      key: 'eras',
      title:
        'tools/call `echo` in both protocol eras: direct, through the gateway and through the byte proxy, with CPU per call',
      settings:
        "Upstreams on loopback: for 2026-07-28, the SDK v2's `createMcpHandler` with its low-level `Server` (scripts/bench/modern-echo-server.ts; a server made per request, as it asks); " +
        "for 2025, the SDK 1.x low-level `Server` (scripts/bench/echo-server.ts), in sessions. One gateway serves both (`protocol:` pinned to each one's era); each byte proxy (scripts/bench/byte-proxy.ts) pipes bytes to one of them. " +
        `${options.rounds} alternating rounds (the ${targets.length} paths; each round starts one later) of ${options.durationMs / 1000} s per path after ${options.warmupMs / 1000} s of warm-up; ` +
        'closed-loop raw HTTP clients (keep-alive, answers read whole, not parsed): stateless requests carrying their envelope and headers, or in a session opened once. ' +
        "CPU: the user + system time of the gateway's or the byte proxy's process (from /proc/<pid>/stat) over each measured window, divided by the calls in it.",
      align: 'rlrrrrrrr',
      columns: [
        'clients',
        'path',
        'req/s',
        'p50 / p90 / p99 ms',
        '÷ direct',
        '÷ 2025 session path',
        'CPU µs/call',
        'CPU ÷ byte proxy',
        'errors',
      ],
      rows,
      checks: checks.list,
      notes: [
        `The two upstreams differ: direct, the 2026-07-28 one (the SDK v2, a server per request) answers ${levels
          .map(({ concurrency: c, results }) =>
            ratio(results['modern direct']!.callsPerSecond / results['legacy direct']!.callsPerSecond).concat(
              ` at ${c} client${c === 1 ? '' : 's'}`,
            ),
          )
          .join(
            ', ',
          )} as many calls as the 2025 one (the SDK 1.x, sessions), so "÷ 2025 session path" carries that difference as well as the gateway's; the gateway's own cost is its CPU per call.`,
      ],
      data: { levels },
    };
  } finally {
    await gateway.stop();
  }
}
