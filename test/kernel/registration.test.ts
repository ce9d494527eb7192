/** What setup may return: hook names, hook shapes, transports, and the resolved chain. */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ErrorCodes, GatewayError } from '../../core/kernel/errors.ts';
import type { HookSignatures, PluginHooks } from '../../core/kernel/hooks.ts';
import type { TransportFactory } from '../../core/kernel/transport.ts';
import { bootKernel, makeKernel, plugin, rejection } from './helpers.ts';

const noopCall: HookSignatures['onCallTool'] = async (_ctx, next) => next();
const factory: TransportFactory = { open: async () => Promise.reject(new Error('not in tests')) };
/** Hooks the type system would refuse, as a plugin written in JavaScript could return them. */
const untyped = (hooks: Record<string, unknown>) => hooks as unknown as PluginHooks;

describe('hook registration', () => {
  it('fails with GW_ERR_UNKNOWN_HOOK on a misspelt hook name, suggesting the right one', async () => {
    const kernel = makeKernel(plugin('typo', untyped({ onCalTool: noopCall })));
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.UNKNOWN_HOOK, plugin: 'typo', hook: 'onCalTool' });
    expect(error.message).toContain('did you mean "onCallTool"');
  });

  it('fails with GW_ERR_UNKNOWN_HOOK on a hook name that is nothing like a known one', async () => {
    const error = await rejection(makeKernel(plugin('odd', untyped({ whenever: () => {} }))).setup());
    expect(error).toMatchObject({ code: ErrorCodes.UNKNOWN_HOOK, plugin: 'odd' });
    expect(error.message).not.toContain('did you mean');
  });

  // Object.prototype keys pass an `in` check: `toString` must be unknown too, not a TypeError.
  it.each(['toString', 'constructor', 'hasOwnProperty'])(
    'fails with GW_ERR_UNKNOWN_HOOK on the hook name %s',
    async (name) => {
      const error = await rejection(makeKernel(plugin('proto', untyped({ [name]: () => {} }))).setup());
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: ErrorCodes.UNKNOWN_HOOK, plugin: 'proto' });
    },
  );

  it.each([
    ['a number', 42],
    ['a string', 'onCallTool'],
    ['an entry without a handler', { order: 'pre' }],
    ['an entry with a bad order', { order: 'first', handler: noopCall }],
  ])('fails with GW_ERR_SETUP_FAILED when a hook is %s', async (_label, entry) => {
    const error = await rejection(makeKernel(plugin('bad-hook', untyped({ onCallTool: entry }))).setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.SETUP_FAILED, plugin: 'bad-hook', hook: 'onCallTool' });
  });

  it('fails when setup returns something other than an object of hooks', async () => {
    const error = await rejection(
      makeKernel(plugin('returns-number', (() => 7) as unknown as () => PluginHooks)).setup(),
    );
    expect(error).toMatchObject({ code: ErrorCodes.SETUP_FAILED, plugin: 'returns-number' });
  });

  it('accepts a setup that returns nothing', async () => {
    const kernel = await bootKernel(plugin('quiet', () => undefined));
    expect(kernel.describeHooks()).toEqual({});
  });

  it('describes the resolved chain as plugin(order) entries, pre first and post last', async () => {
    const kernel = await bootKernel(
      plugin('audit', { onCallTool: { order: 'post', handler: noopCall }, onShutdown: () => {} }),
      plugin('auth', { onCallTool: { order: 'pre', handler: noopCall } }),
      plugin('policy', { onCallTool: noopCall, onListTools: (items) => items }),
    );
    expect(kernel.describeHooks()).toEqual({
      onListTools: ['policy'],
      onCallTool: ['auth(pre)', 'policy', 'audit(post)'],
      onShutdown: ['audit'],
    });
  });
});

describe('transport plugins', () => {
  const schema = z.object({ url: z.string() });

  it('fails setup when a plugin declares a transport but does not provide it', async () => {
    const later = vi.fn();
    const kernel = makeKernel(
      plugin('lazy-transport', {}, { transport: { type: 'x', schema } }),
      plugin('later', later),
    );
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.SETUP_FAILED, plugin: 'lazy-transport' });
    expect(error.message).toContain('transport:x');
    expect(later).not.toHaveBeenCalled();
  });

  it('sets up a plugin that declares a transport and provides it', async () => {
    const kernel = await bootKernel(
      plugin(
        'x-transport',
        (ctx) => {
          ctx.provide('transport:x', factory);
        },
        { transport: { type: 'x', schema } },
      ),
    );
    expect(kernel.services.get('transport:x')).toBe(factory);
    expect(kernel.services.providerOf('transport:x')).toBe('x-transport');
  });
});
