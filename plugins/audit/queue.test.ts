/** The queue between the request path and a sink: batching, bounds, failures, the flush at shutdown. */
import { describe, expect, it } from 'vitest';
import { BatchQueue, type DropReason, type QueueOptions } from './queue.ts';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await tick(5);
  }
}

/** A queue over a sink that records its batches; `write` may be replaced. */
function harness(options: Partial<QueueOptions<number>> = {}) {
  const batches: number[][] = [];
  const drops: [DropReason, number][] = [];
  let written = 0;
  const queue = new BatchQueue<number>({
    max: 100,
    batchSize: 3,
    flushInterval: 0,
    write: async (batch) => void batches.push([...batch]),
    written: (n) => (written += n),
    dropped: (reason, n) => drops.push([reason, n]),
    ...options,
  });
  return { queue, batches, drops, written: () => written };
}

/** A write that never settles unless its signal aborts. */
const hanging = (started: () => void) => (_: readonly number[], signal: AbortSignal) =>
  new Promise<void>((_resolve, reject) => {
    started();
    signal.addEventListener('abort', () => reject(new Error('aborted')));
  });

describe('BatchQueue', () => {
  it('never writes in the turn of the push', async () => {
    const { queue, batches } = harness();
    queue.push(1);
    expect(batches).toEqual([]);
    await until(() => batches.length === 1);
    expect(batches).toEqual([[1]]);
  });

  it('writes what there is at once when flushInterval is 0, in batches of at most batchSize', async () => {
    const { queue, batches, written } = harness();
    for (let i = 1; i <= 7; i++) queue.push(i);
    await until(() => written() === 7);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('waits up to flushInterval for a batch to fill', async () => {
    const { queue, batches } = harness({ flushInterval: 150 });
    for (let i = 1; i <= 4; i++) queue.push(i);
    await until(() => batches.length === 1);
    expect(batches).toEqual([[1, 2, 3]]);
    await tick(50);
    expect(batches).toEqual([[1, 2, 3]]); // 4 waits for its interval
    await until(() => batches.length === 2);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('drops and counts new items while max items wait, and takes them again once there is room', async () => {
    let release!: () => void;
    const { queue, batches, drops } = harness({
      max: 2,
      batchSize: 1,
      write: async (batch) => {
        await new Promise<void>((resolve) => (release = resolve));
        batches.push([...batch]);
      },
    });
    queue.push(1);
    await until(() => release !== undefined); // 1 is being written, not waiting
    for (let i = 2; i <= 6; i++) queue.push(i);
    expect(drops).toEqual([
      ['queue_full', 1],
      ['queue_full', 1],
      ['queue_full', 1],
    ]);
    expect(queue.size).toBe(2);
    for (let i = 0; i < 3; i++) {
      const current = release;
      current();
      await until(() => release !== current || batches.length === 3);
    }
    expect(batches).toEqual([[1], [2], [3]]);
    queue.push(7);
    expect(queue.size).toBe(1);
  });

  it('counts a batch the sink lost, and goes on with the next', async () => {
    let calls = 0;
    const { queue, drops, written } = harness({
      batchSize: 2,
      write: async () => {
        if (++calls === 1) throw new Error('sink down');
      },
    });
    for (let i = 1; i <= 3; i++) queue.push(i);
    await until(() => written() === 1);
    expect(drops).toEqual([['sink_error', 2]]);
  });

  it('flushes everything at shutdown without waiting for the interval, then accepts nothing', async () => {
    const { queue, batches, drops } = harness({ flushInterval: 60_000 });
    for (let i = 1; i <= 5; i++) queue.push(i);
    await tick(20);
    expect(batches).toEqual([[1, 2, 3]]);
    await queue.flush(new AbortController().signal);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    queue.push(6);
    expect(drops).toEqual([['shutdown', 1]]);
  });

  it('gives up when the shutdown signal aborts: the batch being written and the waiting ones are counted', async () => {
    let started = false;
    const { queue, drops } = harness({ batchSize: 2, write: hanging(() => (started = true)) });
    for (let i = 1; i <= 5; i++) queue.push(i);
    await until(() => started);
    const controller = new AbortController();
    const flushed = queue.flush(controller.signal);
    await tick(20);
    controller.abort();
    const lost = () => drops.map(([reason, n]) => `${reason}:${n}`).toSorted();
    await flushed;
    expect(lost()).toEqual(['shutdown:2', 'shutdown:3']); // counted by the time flush returns, not later
    await tick(20);
    expect(lost()).toEqual(['shutdown:2', 'shutdown:3']); // and the aborted write only once
  });

  it('returns when the shutdown signal aborts even if the sink ignores it, counting its batch', async () => {
    let started = false;
    const { queue, drops } = harness({ batchSize: 2, write: () => ((started = true), new Promise<void>(() => {})) });
    for (let i = 1; i <= 5; i++) queue.push(i);
    await until(() => started);
    await queue.flush(AbortSignal.timeout(30));
    expect(drops).toEqual([['shutdown', 5]]);
  });
});
