/** The rolling window of an upstream's calls: what counts, rate, errors, percentiles, and forgetting. */
import type { OperationEvent, OperationFailure } from 'mcp-gateway';
import { expect, it } from 'vitest';
import { CallStats } from './call-stats.ts';

const call = (
  server: string,
  durationMs: number,
  outcome: OperationEvent['outcome'] = 'success',
  reason?: OperationFailure,
) =>
  ({
    type: 'operation',
    method: 'tools/call',
    target: { kind: 'tool', server, name: 'echo', exposed: `${server}__echo` },
    outcome,
    reason,
    durationMs,
  }) as OperationEvent;

it('counts the calls that reached the upstream, with errors and nearest-rank percentiles', () => {
  let now = 0;
  const stats = new CallStats(60_000, () => now);
  for (let ms = 1; ms <= 100; ms++) stats.record(call('a', ms));
  stats.record(call('a', 500, 'tool_error'));
  stats.record(call('a', 7, 'error', 'timeout'));
  stats.record(call('a', 1, 'error', 'denied')); // refused by the gateway: not the upstream's
  stats.record(call('a', 1, 'error', 'rate_limited'));
  stats.record({ ...call('a', 1), target: undefined }); // names nothing that exists
  expect(stats.summary('a')).toEqual({
    inFlight: 0,
    calls: 102,
    perMinute: 102,
    errors: 2,
    p50Ms: 50, // the 51st of 102: 1..7, 7 again, 8..50
    p99Ms: 100,
    windowMs: 60_000,
  });
  expect(stats.summary('b')).toMatchObject({ calls: 0, p50Ms: undefined, p99Ms: undefined });

  now = 30_000;
  stats.record(call('a', 3));
  now = 60_001; // the first 102 have left the window
  expect(stats.summary('a')).toMatchObject({ calls: 1, errors: 0, p50Ms: 3, p99Ms: 3 });
});

it('counts calls in flight while they run, also when they fail', async () => {
  const stats = new CallStats(60_000);
  let release!: () => void;
  const running = stats.track('a', () => new Promise<void>((resolve) => (release = resolve)));
  const failing = stats.track('a', async () => {
    throw new Error('no');
  });
  await expect(failing).rejects.toThrow('no');
  expect(stats.summary('a').inFlight).toBe(1);
  release();
  await running;
  expect(stats.summary('a').inFlight).toBe(0);
});
