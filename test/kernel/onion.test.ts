/** The onion runner behind kernel.operation('onCallTool', terminal). */
import { describe, expect, it, vi } from 'vitest';
import type { CallToolResult, ToolCallContext } from '../../core/kernel/context.ts';
import { ErrorCodes, GatewayError, RpcError } from '../../core/kernel/errors.ts';
import type { HookSignatures } from '../../core/kernel/hooks.ts';
import { bootKernel, plugin, rejection, text, toolCtx } from './helpers.ts';

type CallTool = HookSignatures['onCallTool'];

/** A layer that logs `>name` on the way in and `<name` on the way out. */
const tracer =
  (log: string[], name: string): CallTool =>
  async (_ctx, next) => {
    log.push(`>${name}`);
    const result = await next();
    log.push(`<${name}`);
    return result;
  };

const terminalOf = (log: string[]) =>
  vi.fn(async (_ctx: ToolCallContext): Promise<CallToolResult> => {
    log.push('terminal');
    return text('upstream');
  });

describe('onion operation hooks', () => {
  it('runs layers in load order on the way in and in reverse on the way out', async () => {
    const log: string[] = [];
    const kernel = await bootKernel(
      plugin('a', { onCallTool: tracer(log, 'a') }),
      plugin('b', { onCallTool: tracer(log, 'b') }),
      plugin('c', { onCallTool: tracer(log, 'c') }),
    );
    const result = await kernel.operation('onCallTool', terminalOf(log))(toolCtx());
    expect(result).toEqual(text('upstream'));
    expect(log).toEqual(['>a', '>b', '>c', 'terminal', '<c', '<b', '<a']);
  });

  it('runs pre hooks first and post hooks last, keeping load order within each rank', async () => {
    const log: string[] = [];
    const kernel = await bootKernel(
      plugin('post1', { onCallTool: { order: 'post', handler: tracer(log, 'post1') } }),
      plugin('plain1', { onCallTool: tracer(log, 'plain1') }),
      plugin('pre1', { onCallTool: { order: 'pre', handler: tracer(log, 'pre1') } }),
      plugin('post2', { onCallTool: { order: 'post', handler: tracer(log, 'post2') } }),
      plugin('plain2', { onCallTool: { handler: tracer(log, 'plain2') } }),
      plugin('pre2', { onCallTool: { order: 'pre', handler: tracer(log, 'pre2') } }),
    );
    await kernel.operation('onCallTool', terminalOf(log))(toolCtx());
    expect(log.slice(0, 7)).toEqual(['>pre1', '>pre2', '>plain1', '>plain2', '>post1', '>post2', 'terminal']);
  });

  it('short-circuits when a layer answers without calling next()', async () => {
    const log: string[] = [];
    const terminal = terminalOf(log);
    const kernel = await bootKernel(
      plugin('outer', { onCallTool: tracer(log, 'outer') }),
      plugin('cache', { onCallTool: async () => text('cached') }),
      plugin('inner', { onCallTool: tracer(log, 'inner') }),
    );
    const result = await kernel.operation('onCallTool', terminal)(toolCtx());
    expect(result).toEqual(text('cached'));
    expect(terminal).not.toHaveBeenCalled();
    expect(log).toEqual(['>outer', '<outer']);
  });

  it('rejects a second next() call with GW_ERR_NEXT_CALLED_TWICE naming the plugin', async () => {
    const terminal = vi.fn(async () => text('upstream'));
    const kernel = await bootKernel(
      plugin('fine', { onCallTool: async (_ctx, next) => next() }),
      plugin('retry-twice', {
        onCallTool: async (_ctx, next) => {
          await next();
          return next();
        },
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', terminal)(toolCtx()));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.NEXT_CALLED_TWICE, plugin: 'retry-twice', hook: 'onCallTool' });
    expect(terminal).toHaveBeenCalledTimes(1);
  });

  it('tags a plain error thrown by a layer with its plugin, the hook and GW_ERR_HOOK_FAILED', async () => {
    const boom = new Error('boom');
    const kernel = await bootKernel(
      plugin('outer', { onCallTool: async (_ctx, next) => next() }),
      plugin('broken', {
        onCallTool: async () => {
          throw boom;
        },
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', async () => text('upstream'))(toolCtx()));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: ErrorCodes.HOOK_FAILED,
      plugin: 'broken',
      hook: 'onCallTool',
      message: 'boom',
    });
    expect(error.cause).toBe(boom);
  });

  it('tags an error a layer throws synchronously, before returning a promise', async () => {
    const kernel = await bootKernel(
      plugin('sync-thrower', {
        onCallTool: (() => {
          throw new Error('sync');
        }) as CallTool,
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', async () => text('upstream'))(toolCtx()));
    expect(error).toMatchObject({ code: ErrorCodes.HOOK_FAILED, plugin: 'sync-thrower', hook: 'onCallTool' });
  });

  it("lets a terminal's error pass through every layer unchanged", async () => {
    const upstreamError = new Error('upstream down');
    const kernel = await bootKernel(
      plugin('a', { onCallTool: async (_ctx, next) => next() }),
      plugin('b', { onCallTool: async (_ctx, next) => next() }),
    );
    const error = await rejection(
      kernel.operation('onCallTool', async () => {
        throw upstreamError;
      })(toolCtx()),
    );
    expect(error).toBe(upstreamError);
    expect(error).not.toBeInstanceOf(GatewayError);
    expect(error).not.toHaveProperty('plugin');
  });

  it('keeps an untagged GatewayError from the terminal untagged', async () => {
    const kernel = await bootKernel(plugin('a', { onCallTool: async (_ctx, next) => next() }));
    const unavailable = new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, 'not connected');
    const error = await rejection(
      kernel.operation('onCallTool', async () => {
        throw unavailable;
      })(toolCtx()),
    );
    expect(error).toBe(unavailable);
    expect(error.plugin).toBeUndefined();
    expect(error.hook).toBeUndefined();
  });

  it("keeps an inner layer's error tagged with the inner plugin as it passes outer layers", async () => {
    const kernel = await bootKernel(
      plugin('outer', { onCallTool: async (_ctx, next) => next() }),
      plugin('middle', { onCallTool: async (_ctx, next) => next() }),
      plugin('inner', {
        onCallTool: async () => {
          throw new Error('inner failed');
        },
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', async () => text('upstream'))(toolCtx()));
    expect(error).toMatchObject({
      code: ErrorCodes.HOOK_FAILED,
      plugin: 'inner',
      hook: 'onCallTool',
      message: 'inner failed',
    });
  });

  it('tags a new error an outer layer throws after catching the inner one with the outer plugin', async () => {
    const kernel = await bootKernel(
      plugin('wrapper', {
        onCallTool: async (_ctx, next) => {
          try {
            return await next();
          } catch {
            throw new Error('wrapped');
          }
        },
      }),
      plugin('inner', {
        onCallTool: async () => {
          throw new Error('inner failed');
        },
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', async () => text('upstream'))(toolCtx()));
    expect(error).toMatchObject({ plugin: 'wrapper', message: 'wrapped' });
  });

  it('lets an RpcError thrown by a layer reach the caller unchanged', async () => {
    const denied = new RpcError(-32602, 'not allowed', { reason: 'policy' });
    const kernel = await bootKernel(
      plugin('outer', { onCallTool: async (_ctx, next) => next() }),
      plugin('policy', {
        onCallTool: async () => {
          throw denied;
        },
      }),
    );
    const error = await rejection(kernel.operation('onCallTool', async () => text('upstream'))(toolCtx()));
    expect(error).toBe(denied);
    expect(error).not.toHaveProperty('plugin');
  });

  it('lets a layer replace ctx.arguments before next(), and the terminal sees the new ones', async () => {
    const terminal = vi.fn(async (ctx: ToolCallContext) => text(JSON.stringify(ctx.arguments)));
    const kernel = await bootKernel(
      plugin('redact', {
        onCallTool: async (ctx, next) => {
          ctx.arguments = { ...ctx.arguments, secret: '[redacted]' };
          return next();
        },
      }),
    );
    const result = await kernel.operation('onCallTool', terminal)(toolCtx({ q: 'x', secret: 'hunter2' }));
    expect(terminal.mock.calls[0]![0].arguments).toEqual({ q: 'x', secret: '[redacted]' });
    expect(result).toEqual(text('{"q":"x","secret":"[redacted]"}'));
  });

  it('lets an outer layer see and replace the result on the way out', async () => {
    const kernel = await bootKernel(
      plugin('decorate', {
        onCallTool: async (_ctx, next) => {
          const result = await next();
          return { ...result, content: [...result.content, { type: 'text', text: 'footer' }] };
        },
      }),
    );
    const result = await kernel.operation('onCallTool', async () => text('body'))(toolCtx());
    expect(result.content).toEqual([
      { type: 'text', text: 'body' },
      { type: 'text', text: 'footer' },
    ]);
  });

  it('calls the terminal directly when no plugin registers the hook', async () => {
    const terminal = vi.fn(async () => text('upstream'));
    const kernel = await bootKernel(plugin('idle'));
    const ctx = toolCtx();
    expect(await kernel.operation('onCallTool', terminal)(ctx)).toEqual(text('upstream'));
    expect(terminal).toHaveBeenCalledWith(ctx);
  });
});
