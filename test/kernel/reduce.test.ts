/** The reduce runner behind kernel.runList('onListTools', items, ctx). */
import { describe, expect, it, vi } from 'vitest';
import type { ToolItem } from '../../core/kernel/context.ts';
import { ErrorCodes, GatewayError } from '../../core/kernel/errors.ts';
import type { HookSignatures } from '../../core/kernel/hooks.ts';
import { bootKernel, operationCtx, plugin, rejection } from './helpers.ts';

type ListTools = HookSignatures['onListTools'];

const tool = (name: string): ToolItem => ({
  server: 'srv',
  name,
  value: { name: `srv_${name}`, inputSchema: { type: 'object' } },
});
const names = (items: readonly ToolItem[]) => items.map((i) => i.name);
const items = [tool('read'), tool('write'), tool('delete')];

describe('reduce list hooks', () => {
  it('returns the list unchanged when no plugin registers the hook', async () => {
    const kernel = await bootKernel(plugin('idle'));
    expect(await kernel.runList('onListTools', items, operationCtx())).toBe(items);
  });

  it("gives each hook the previous hook's output, in load order", async () => {
    const seen: string[][] = [];
    const kernel = await bootKernel(
      plugin('no-delete', {
        onListTools: (list) => {
          seen.push(names(list));
          return list.filter((i) => i.name !== 'delete');
        },
      }),
      plugin('add-extra', {
        onListTools: (list) => {
          seen.push(names(list));
          return [...list, tool('extra')];
        },
      }),
      plugin('observer', {
        onListTools: (list) => {
          seen.push(names(list));
        },
      }),
    );
    const result = await kernel.runList('onListTools', items, operationCtx());
    expect(seen).toEqual([
      ['read', 'write', 'delete'],
      ['read', 'write'],
      ['read', 'write', 'extra'],
    ]);
    expect(names(result)).toEqual(['read', 'write', 'extra']);
  });

  it('passes the operation context to every hook', async () => {
    const hook = vi.fn<ListTools>();
    const kernel = await bootKernel(plugin('a', { onListTools: hook }));
    const ctx = operationCtx();
    await kernel.runList('onListTools', items, ctx);
    expect(hook).toHaveBeenCalledWith(items, ctx);
  });

  it('keeps the current list when a hook returns undefined', async () => {
    const kernel = await bootKernel(
      plugin('shrink', { onListTools: (list) => list.slice(0, 1) }),
      plugin('noop', { onListTools: () => undefined }),
    );
    expect(names(await kernel.runList('onListTools', items, operationCtx()))).toEqual(['read']);
  });

  it('fails with GW_ERR_HOOK_FAILED naming the plugin when a hook returns a non-array', async () => {
    const kernel = await bootKernel(
      plugin('fine', { onListTools: (list) => list }),
      plugin('returns-object', { onListTools: (() => ({ tools: [] })) as unknown as ListTools }),
    );
    const error = await rejection(kernel.runList('onListTools', items, operationCtx()));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.HOOK_FAILED, plugin: 'returns-object', hook: 'onListTools' });
  });

  it('fails the whole request when a hook throws, tagged with its plugin and hook', async () => {
    const after = vi.fn<ListTools>();
    const kernel = await bootKernel(
      plugin('filter', {
        onListTools: () => {
          throw new Error('policy store unreachable');
        },
      }),
      plugin('after', { onListTools: after }),
    );
    const error = await rejection(kernel.runList('onListTools', items, operationCtx()));
    expect(error).toMatchObject({
      code: ErrorCodes.HOOK_FAILED,
      plugin: 'filter',
      hook: 'onListTools',
      message: 'policy store unreachable',
    });
    expect(after).not.toHaveBeenCalled();
  });

  it('fails the request when an async hook rejects', async () => {
    const kernel = await bootKernel(
      plugin('async-filter', {
        onListTools: async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw new Error('late failure');
        },
      }),
    );
    const error = await rejection(kernel.runList('onListTools', items, operationCtx()));
    expect(error).toMatchObject({ code: ErrorCodes.HOOK_FAILED, plugin: 'async-filter', hook: 'onListTools' });
  });

  it('awaits async hooks and chains their results', async () => {
    const kernel = await bootKernel(
      plugin('slow-filter', {
        onListTools: async (list) => {
          await new Promise((r) => setTimeout(r, 5));
          return list.filter((i) => i.name !== 'write');
        },
      }),
      plugin('slow-sort', {
        onListTools: async (list) => {
          await Promise.resolve();
          return [...list].sort((a, b) => a.name.localeCompare(b.name));
        },
      }),
    );
    expect(names(await kernel.runList('onListTools', items, operationCtx()))).toEqual(['delete', 'read']);
  });
});
