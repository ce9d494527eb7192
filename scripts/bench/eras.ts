/**
 * The two protocol eras through the gateway, in one run: tools/call to the same Streamable HTTP
 * upstream by raw HTTP clients in a 2025 session and by stateless 2026-07-28 requests, beside the
 * upstream direct (in a session: the SDK 1.x server speaks only the 2025 era). Raw clients, so
 * that only the servers' work is measured.
 */
import { alternate, type CompareOptions, type Target } from './compare.ts';
import { httpUpstream, startGateway } from './gateway.ts';
import { startEchoServer, stop } from './processes.ts';
import { Checks, latencies, perSecond, ratio, type Section } from './report.ts';

export async function erasSection(options: CompareOptions, progress: (line: string) => void): Promise<Section> {
  const echo = await startEchoServer(0);
  try {
    const gateway = await startGateway({ proxy: { servers: [httpUpstream('bench', echo.url())] } });
    try {
      const call = { kind: 'call', tool: 'bench__echo' } as const;
      const targets: Target[] = [
        { name: 'direct', url: echo.url(), client: 'raw', operation: { kind: 'call', tool: 'echo' } },
        { name: 'session', url: gateway.mcpUrl, client: 'raw', operation: call },
        { name: 'stateless', url: gateway.mcpUrl, client: 'stateless', operation: call },
      ];
      const { levels, failures } = await alternate(targets, options, (line) => progress(`eras: ${line}`));
      const failed = Object.entries(failures);
      if (failed.length) throw new Error(failed.map(([name, why]) => `${name}: ${why}`).join('; '));
      const checks = new Checks();
      const rows = levels.map(({ concurrency: c, results }) => {
        const { direct, session, stateless } = results as Record<
          'direct' | 'session' | 'stateless',
          (typeof results)[string]
        >;
        const at = `at ${c} client${c === 1 ? '' : 's'}`;
        return [
          String(c),
          perSecond(direct!.callsPerSecond),
          perSecond(session!.callsPerSecond),
          perSecond(stateless!.callsPerSecond),
          checks.atLeast(`stateless ÷ session ${at}`, stateless!.callsPerSecond / session!.callsPerSecond, 1, ratio),
          ratio(stateless!.callsPerSecond / direct!.callsPerSecond),
          latencies(session!),
          latencies(stateless!),
          String(direct!.errors + session!.errors + stateless!.errors),
        ];
      });
      return {
        key: 'eras',
        title:
          'tools/call `echo` through the gateway in both protocol eras: a 2025 session and stateless 2026-07-28 requests',
        settings:
          "Upstream: the SDK's low-level `Server` over Streamable HTTP on loopback (scripts/bench/echo-server.ts), reached by the gateway in the 2025 era. " +
          `${options.rounds} alternating rounds (direct, session, stateless; each round starts one later) of ${options.durationMs / 1000} s per side after ${options.warmupMs / 1000} s of warm-up; ` +
          'closed-loop raw HTTP clients (keep-alive, answers read whole, not parsed): in a session opened once, or stateless requests carrying their envelope and headers.',
        columns: [
          'clients',
          'direct req/s',
          'session req/s',
          'stateless req/s',
          'stateless ÷ session',
          'stateless ÷ direct',
          'session p50 / p90 / p99 ms',
          'stateless p50 / p90 / p99 ms',
          'errors',
        ],
        rows,
        checks: checks.list,
        notes: [],
        data: { levels },
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await stop(echo.started.child);
  }
}
