/**
 * An operator's bad day, measured: an upstream killed (SIGKILL) and restarted on the same port
 * 0.5-2 s later, again and again, while clients call its tool in a closed loop and `/ready` is
 * sampled every 20 ms. For each kill: how long until the gateway says the upstream is down, how
 * many samples still said `ready` once it should have known, how long after the restart calls
 * succeed again, and how many calls failed after that first success (none should).
 */
import { performance } from 'node:perf_hooks';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectedClient } from './client.ts';
import { httpUpstream, startGateway } from './gateway.ts';
import { sharedSignalFetch } from './load.ts';
import { freePort, sleep, startEchoServer, stop, type EchoServer } from './processes.ts';
import { Checks, ms, type Section } from './report.ts';

export interface ChaosOptions {
  readonly kills: number;
  readonly clients: number;
}

/** The gateway's reconnection backoff in this run (the settings). */
const backoff = { initialMs: 200, maxMs: 2000 };
/** The longest reconnection delay: the cap with its jitter (±20 %, see core/engine/upstream/backoff.ts). */
const backoffPeriodMs = backoff.maxMs * 1.2;
/** How long the gateway may take to see an upstream die. */
const detectionTargetMs = 200;

interface Call {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly error?: string;
}

interface Kill {
  readonly killedAt: number;
  readonly restartedAt: number;
  /** From the kill to the first `/ready` sample that says the upstream is not ready. */
  readonly detectMs: number;
  /** Samples that said `ready` later than `detectionTargetMs` after the kill, while it was down. */
  readonly wrongSamples: number;
  readonly downSamples: number;
  /** From the restart (the server listening) to the end of the first call that succeeded. */
  readonly recoverMs: number;
  /** Calls that failed after that first success, ending before the next kill (those it cuts fail, as they should). */
  readonly failedAfterRecovery: number;
  /** Their errors, by message. */
  readonly errorsAfterRecovery: Readonly<Record<string, number>>;
}

export async function chaosSection(options: ChaosOptions, progress: (line: string) => void): Promise<Section> {
  const port = await freePort();
  let echo: EchoServer = await startEchoServer(0, port);
  const gateway = await startGateway({
    proxy: {
      reconnect: { initial: `${backoff.initialMs}ms`, max: `${backoff.maxMs}ms` },
      servers: [httpUpstream('A', echo.url())],
    },
  });
  const base = gateway.mcpUrl.replace(/\/mcp$/, '');
  const calls: Call[] = [];
  const samples: { at: number; state: string }[] = [];
  let running = true;
  try {
    const clients = await Promise.all(
      Array.from({ length: options.clients }, () =>
        connectedClient(new StreamableHTTPClientTransport(new URL(gateway.mcpUrl), { fetch: sharedSignalFetch })),
      ),
    );
    const load = clients.map(async (client) => {
      while (running) {
        const start = performance.now();
        const error = await client.callTool({ name: 'A__echo', arguments: { text: 'chaos' } }).then(
          () => undefined,
          (e: Error) => e.message,
        );
        const ok = error === undefined;
        calls.push({ start, end: performance.now(), ok, ...(error !== undefined && { error }) });
        // A failing call returns at once: don't spin.
        if (!ok) await sleep(5);
      }
    });
    const sampler = (async () => {
      while (running) {
        const at = performance.now();
        const body = (await fetch(`${base}/ready`).then(
          (r) => r.json(),
          () => undefined,
        )) as { upstreams?: { state: string }[] } | undefined;
        samples.push({ at, state: body?.upstreams?.[0]?.state ?? 'unknown' });
        await sleep(20);
      }
    })();

    const kills: { killedAt: number; restartedAt: number }[] = [];
    await sleep(1000);
    for (let i = 0; i < options.kills; i++) {
      const killedAt = performance.now();
      echo.started.child.kill('SIGKILL');
      await stop(echo.started.child);
      await sleep(500 + Math.random() * 1500);
      echo = await startEchoServer(0, port);
      const restartedAt = performance.now();
      kills.push({ killedAt, restartedAt });
      // Until calls succeed again, then a while of steady load.
      while (running && !calls.some((call) => call.ok && call.start > restartedAt)) await sleep(20);
      await sleep(1000);
      progress(`chaos: kill ${i + 1}/${options.kills}`);
    }
    running = false;
    await Promise.all([...load, sampler]);
    await Promise.all(clients.map((client) => client.close()));

    const measured = kills.map(({ killedAt, restartedAt }, i): Kill => {
      const nextKill = kills[i + 1]?.killedAt ?? Infinity;
      const down = samples.filter((s) => s.at >= killedAt && s.at < restartedAt);
      const detected = down.find((s) => s.state !== 'ready');
      const firstSuccess = calls
        .filter((c) => c.ok && c.start > restartedAt)
        .reduce((first, c) => Math.min(first, c.end), Infinity);
      const failedAfter = calls.filter((c) => !c.ok && c.start > firstSuccess && c.end < nextKill);
      const errorsAfterRecovery: Record<string, number> = {};
      for (const { error } of failedAfter) errorsAfterRecovery[error!] = (errorsAfterRecovery[error!] ?? 0) + 1;
      return {
        killedAt,
        restartedAt,
        detectMs: detected ? detected.at - killedAt : Infinity,
        wrongSamples: down.filter((s) => s.state === 'ready' && s.at - killedAt > detectionTargetMs).length,
        downSamples: down.length,
        recoverMs: firstSuccess - restartedAt,
        failedAfterRecovery: failedAfter.length,
        errorsAfterRecovery,
      };
    });
    const sorted = (values: number[]) => values.sort((a, b) => a - b);
    const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)] ?? NaN;
    const max = (values: number[]) => Math.max(...values);
    const detect = measured.map((k) => k.detectMs);
    const recover = measured.map((k) => k.recoverMs);
    const wrong = measured.reduce((sum, k) => sum + k.wrongSamples, 0);
    const downSamples = measured.reduce((sum, k) => sum + k.downSamples, 0);
    const failedAfter = measured.reduce((sum, k) => sum + k.failedAfterRecovery, 0);
    const checks = new Checks();
    return {
      key: 'chaos',
      title: 'An HTTP upstream killed and restarted under load',
      settings:
        `${options.kills} times: the echo server killed with SIGKILL and restarted on its port 0.5-2 s later, while ${options.clients} SDK clients call its tool through the gateway in a closed loop ` +
        `(\`proxy.reconnect: {initial: ${backoff.initialMs}ms, max: ${backoff.maxMs / 1000}s}\`) and \`/ready\` is read every 20 ms.`,
      columns: ['measure', 'median', 'max', 'target'],
      rows: [
        [
          'kill → `/ready` says down (ms)',
          ms(median(detect)),
          checks.atMost('longest time to see an upstream die (ms)', max(detect), detectionTargetMs, ms),
          `≤ ${detectionTargetMs}`,
        ],
        [
          `samples saying \`ready\` past ${detectionTargetMs} ms while down`,
          '—',
          checks.none(`\`ready\` samples while down (of ${downSamples})`, wrong),
          '0',
        ],
        [
          'restart → first call that succeeds (ms)',
          ms(median(recover)),
          checks.atMost('longest recovery after a restart (ms)', max(recover), backoffPeriodMs, ms),
          `≤ ${backoffPeriodMs} (one backoff period)`,
        ],
        [
          'calls failed after that first success',
          '—',
          checks.none('calls failed after the first success', failedAfter),
          '0',
        ],
      ],
      checks: checks.list,
      notes: [
        `${calls.length} calls in all, ${calls.filter((c) => !c.ok).length} failed (those while the upstream was down fail at once, as they should).`,
        ...measured.flatMap((k, i) =>
          Object.entries(k.errorsAfterRecovery).map(
            ([message, count]) => `After restart ${i + 1}: ${count} × ${message}`,
          ),
        ),
      ],
      data: { kills: measured, calls: calls.length, failed: calls.filter((c) => !c.ok).length },
    };
  } finally {
    running = false;
    await gateway.stop();
    await stop(echo.started.child);
  }
}
