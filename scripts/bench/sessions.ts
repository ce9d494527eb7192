/**
 * Idle sessions: open N sessions the way a client does (POST initialize, then
 * notifications/initialized), leave them idle and divide the gateway's RSS growth by their number;
 * then ping every one of them, to show that all N are alive at once. Raw HTTP on keep-alive
 * connections, so that this process's own per-session cost stays out of the way.
 */
import { httpUpstream, startGateway } from './gateway.ts';
import { rssKb, sleep, startEchoServer, stop } from './processes.ts';
import { openSession, rpc, send } from './raw-http.ts';
import { Checks, fixed, mib, type Section } from './report.ts';

const parallel = 64;
const warmup = 100;

/** Run `task` for 0..count-1, `parallel` at a time; count the failures. */
async function pool(count: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        await task(i).catch(() => errors++);
      }
    }),
  );
  return errors;
}

export async function sessionsSection(count: number, progress: (line: string) => void): Promise<Section> {
  const echo = await startEchoServer();
  const gateway = await startGateway({
    sessions: { max: count + warmup },
    proxy: { servers: [httpUpstream('bench', echo.url())] },
  }).catch(async (error: unknown) => {
    await stop(echo.started.child);
    throw error;
  });
  try {
    const url = new URL(gateway.mcpUrl);
    // Open and close a few first, so that compiling the session code is not charged to the sessions.
    const warm: string[] = [];
    await pool(warmup, async () => warm.push(await openSession(url)));
    await pool(warm.length, (i) => send(url, 'DELETE', undefined, warm[i]));
    await sleep(1000);
    const base = rssKb(gateway.pid);

    const ids: string[] = [];
    let errors = 0;
    const checkpoints = [...new Set([count / 10, count / 2, count].map(Math.round))].filter((n) => n > 0);
    const rows: { sessions: number; rssKb: number; errors: number; openedPerSecond: number }[] = [];
    for (const checkpoint of checkpoints) {
      const started = performance.now();
      const opening = checkpoint - ids.length - errors;
      errors += await pool(opening, async () => ids.push(await openSession(url)));
      const openedPerSecond = (opening / (performance.now() - started)) * 1000;
      await sleep(1000);
      rows.push({ sessions: ids.length, rssKb: rssKb(gateway.pid), errors, openedPerSecond });
      progress(`sessions: ${ids.length} open, ${errors} errors`);
    }
    const pingErrors = await pool(ids.length, (i) => rpc(url, ids[i]!, 1, 'ping'));
    const afterPings = rssKb(gateway.pid);

    const checks = new Checks();
    const last = rows.at(-1)!;
    const kb = (n: number) => `${fixed(1)(n)} KB`;
    return {
      key: 'sessions',
      title: 'Idle sessions on the gateway',
      settings:
        `Sessions opened ${parallel} at a time (POST initialize, then notifications/initialized) on keep-alive connections, after ${warmup} opened and closed to warm up; ` +
        `RSS read 1 s after each step. KB = 1,024 bytes. Upstream sessions are opened at a session's first upstream request, so idle sessions have none.`,
      align: 'rrrrrr',
      columns: ['open sessions', 'opened/s', 'gateway RSS MiB', 'RSS growth MiB', 'per session', 'errors'],
      rows: rows.map((row) => {
        const perSession = (row.rssKb - base) / row.sessions;
        const final = row === last;
        return [
          row.sessions.toLocaleString('en'),
          fixed(0)(row.openedPerSecond),
          mib(row.rssKb),
          mib(row.rssKb - base),
          final ? checks.atMost('RSS per idle session', perSession, 30, kb) : kb(perSession),
          final
            ? checks.none(`errors opening ${row.sessions.toLocaleString('en')} sessions`, row.errors)
            : String(row.errors),
        ];
      }),
      checks: checks.list,
      notes: [
        `Before: ${mib(base)} MiB. Then one ping on every open session, errors: ${checks.none('errors pinging every open session', pingErrors)}; gateway RSS after: ${mib(afterPings)} MiB.`,
        ...(count < 10_000 ? ['The target is 10,000 sessions without errors: run with `--sessions 10000`.'] : []),
      ],
      data: { baseRssKb: base, checkpoints: rows, pingErrors, afterPingsRssKb: afterPings },
    };
  } finally {
    await gateway.stop();
    await stop(echo.started.child);
  }
}
