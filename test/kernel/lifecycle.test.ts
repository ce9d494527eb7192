/** Plugin setup and shutdown: order, the setup context, timeouts and partial-boot teardown. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, GatewayError } from '../../core/kernel/errors.ts';
import type { SetupContext } from '../../core/kernel/plugin.ts';
import { bootKernel, gateway, makeKernel, planned, plugin, rejection } from './helpers.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A plugin that logs `setup:name` and `shutdown:name`. */
const logged = (log: string[], name: string, extra: Parameters<typeof plugin>[2] = {}) =>
  plugin(
    name,
    () => {
      log.push(`setup:${name}`);
      return { onShutdown: () => void log.push(`shutdown:${name}`) };
    },
    extra,
  );

describe('setup', () => {
  it('sets plugins up in load order', async () => {
    const log: string[] = [];
    await bootKernel(logged(log, 'a'), logged(log, 'b'), logged(log, 'c'));
    expect(log).toEqual(['setup:a', 'setup:b', 'setup:c']);
  });

  it('waits for an async setup before starting the next plugin', async () => {
    const log: string[] = [];
    const slow = plugin('slow', async () => {
      await new Promise((r) => setTimeout(r, 10));
      log.push('setup:slow');
    });
    await bootKernel(slow, logged(log, 'next'));
    expect(log).toEqual(['setup:slow', 'setup:next']);
  });

  it('gives setup its name, options, config, baseDir, gateway, a plugin logger and a live signal', async () => {
    let seen: SetupContext | undefined;
    const kernel = makeKernel(
      planned(
        plugin('ctx-probe', (ctx) => {
          seen = ctx;
        }),
        { greeting: 'hi' },
      ),
    );
    await kernel.setup();
    expect(seen).toBeDefined();
    const ctx = seen!;
    expect(ctx.name).toBe('ctx-probe');
    expect(ctx.options).toEqual({ greeting: 'hi' });
    expect(ctx.baseDir).toBe('/tmp');
    expect(ctx.gateway).toBe(gateway);
    expect(ctx.config).toBeTypeOf('object');
    expect(ctx.logger.bindings()).toMatchObject({ plugin: 'ctx-probe' });
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.provide).toBeTypeOf('function');
    expect(ctx.use).toBeTypeOf('function');
  });

  it('collects routes declared with ctx.http.route in kernel.routes', async () => {
    const live = () => new Response('ok');
    const metrics = () => new Response('');
    const kernel = await bootKernel(
      plugin('health', (ctx) => {
        ctx.http.route('GET', '/live', live, { auth: 'none', name: 'live' });
      }),
      plugin('metrics', (ctx) => {
        ctx.http.route('GET', '/metrics', metrics);
      }),
    );
    expect(kernel.routes).toEqual([
      { plugin: 'health', method: 'GET', path: '/live', handler: live, options: { auth: 'none', name: 'live' } },
      { plugin: 'metrics', method: 'GET', path: '/metrics', handler: metrics, options: {} },
    ]);
  });

  it('rejects with GW_ERR_SETUP_FAILED naming the plugin when setup throws, after tearing down the earlier plugins', async () => {
    const log: string[] = [];
    const later = vi.fn();
    const kernel = makeKernel(
      logged(log, 'a'),
      logged(log, 'b'),
      plugin('broken', () => {
        throw new Error('cannot open database');
      }),
      plugin('later', later),
    );
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: ErrorCodes.SETUP_FAILED,
      plugin: 'broken',
      hook: 'setup',
      message: 'cannot open database',
    });
    expect(log).toEqual(['setup:a', 'setup:b', 'shutdown:b', 'shutdown:a']);
    expect(later).not.toHaveBeenCalled();
  });

  it('rejects with GW_ERR_SETUP_FAILED when an async setup rejects', async () => {
    const kernel = makeKernel(
      plugin('async-broken', async () => {
        await Promise.resolve();
        throw new Error('nope');
      }),
    );
    expect(await rejection(kernel.setup())).toMatchObject({ code: ErrorCodes.SETUP_FAILED, plugin: 'async-broken' });
  });

  it('rejects with GW_ERR_SETUP_TIMEOUT naming the plugin when setup exceeds setupTimeout, aborting its signal', async () => {
    const log: string[] = [];
    const later = vi.fn();
    let signal: AbortSignal | undefined;
    const kernel = makeKernel(
      logged(log, 'a'),
      logged(log, 'b'),
      plugin(
        'hangs',
        (ctx) => {
          signal = ctx.signal;
          return new Promise(() => {});
        },
        { setupTimeout: 50 },
      ),
      plugin('later', later),
    );
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.SETUP_TIMEOUT, plugin: 'hangs', hook: 'setup' });
    expect(error.message).toContain('50 ms');
    expect(signal?.aborted).toBe(true);
    expect(log).toEqual(['setup:a', 'setup:b', 'shutdown:b', 'shutdown:a']);
    expect(later).not.toHaveBeenCalled();
  });

  it('does not time out a setup that finishes within setupTimeout', async () => {
    let signal: AbortSignal | undefined;
    const kernel = makeKernel(
      plugin(
        'quick',
        async (ctx) => {
          signal = ctx.signal;
          await new Promise((r) => setTimeout(r, 5));
        },
        { setupTimeout: 200 },
      ),
    );
    await expect(kernel.setup()).resolves.toBeUndefined();
    expect(signal?.aborted).toBe(false);
  });
});

describe('shutdown', () => {
  it('runs onShutdown hooks in reverse load order', async () => {
    const log: string[] = [];
    const kernel = await bootKernel(logged(log, 'a'), logged(log, 'b'), logged(log, 'c'));
    log.length = 0;
    expect(await kernel.shutdown()).toEqual([]);
    expect(log).toEqual(['shutdown:c', 'shutdown:b', 'shutdown:a']);
  });

  it('runs each onShutdown only once, even if shutdown is called again', async () => {
    const hook = vi.fn();
    const kernel = await bootKernel(plugin('a', { onShutdown: hook }));
    await kernel.shutdown();
    await kernel.shutdown();
    expect(hook).toHaveBeenCalledTimes(1);
  });

  it('keeps going when an onShutdown throws, and returns its error tagged with the plugin', async () => {
    const log: string[] = [];
    const kernel = await bootKernel(
      logged(log, 'a'),
      plugin('broken', {
        onShutdown: () => {
          throw new Error('close failed');
        },
      }),
      logged(log, 'c'),
    );
    log.length = 0;
    const errors = await kernel.shutdown();
    expect(log).toEqual(['shutdown:c', 'shutdown:a']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(GatewayError);
    expect(errors[0]).toMatchObject({
      code: ErrorCodes.HOOK_FAILED,
      plugin: 'broken',
      hook: 'onShutdown',
      message: 'close failed',
    });
  });

  it('cuts off an onShutdown that never resolves after 5 s, aborts its signal and moves on', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    let signal: AbortSignal | undefined;
    const kernel = await bootKernel(
      logged(log, 'a'),
      plugin('hangs', {
        onShutdown: (ctx) => {
          signal = ctx.signal;
          return new Promise(() => {});
        },
      }),
    );
    log.length = 0;
    let settled = false;
    const done = kernel.shutdown().finally(() => (settled = true));

    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBe(false);
    expect(signal?.aborted).toBe(false);
    expect(log).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    const errors = await done;
    expect(signal?.aborted).toBe(true);
    expect(log).toEqual(['shutdown:a']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCodes.HOOK_FAILED, plugin: 'hangs', hook: 'onShutdown' });
    expect(errors[0]!.message).toContain('5000 ms');
  });
});
