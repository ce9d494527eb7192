/** The service registry as plugins see it through ctx.provide and ctx.use. */
import { describe, expect, it } from 'vitest';
import { ErrorCodes, GatewayError } from '../../core/kernel/errors.ts';
import type { TransportFactory } from '../../core/kernel/transport.ts';
import { bootKernel, makeKernel, plugin, rejection } from './helpers.ts';

const factory = (): TransportFactory => ({ open: async () => Promise.reject(new Error('not in tests')) });

describe('services', () => {
  it('lets a later plugin use what an earlier plugin provided', async () => {
    const provided = factory();
    let used: TransportFactory | undefined;
    const kernel = await bootKernel(
      plugin('provider', (ctx) => {
        ctx.provide('transport:fake', provided);
      }),
      plugin('consumer', (ctx) => {
        used = ctx.use('transport:fake');
      }),
    );
    expect(used).toBe(provided);
    expect(kernel.services.providerOf('transport:fake')).toBe('provider');
  });

  it('fails with GW_ERR_SERVICE naming the consumer when nobody provides the service', async () => {
    const kernel = makeKernel(
      plugin('consumer', (ctx) => {
        ctx.use('transport:missing');
      }),
    );
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.SERVICE, plugin: 'consumer' });
    expect(error.message).toContain('transport:missing');
    expect(error.message).toContain('consumer');
  });

  it('fails when the provider comes after the consumer in load order', async () => {
    const kernel = makeKernel(
      plugin('consumer', (ctx) => {
        ctx.use('transport:fake');
      }),
      plugin('provider', (ctx) => {
        ctx.provide('transport:fake', factory());
      }),
    );
    expect(await rejection(kernel.setup())).toMatchObject({ code: ErrorCodes.SERVICE, plugin: 'consumer' });
  });

  it('fails with GW_ERR_SERVICE naming the first provider when a service is provided twice', async () => {
    const kernel = makeKernel(
      plugin('first', (ctx) => {
        ctx.provide('transport:fake', factory());
      }),
      plugin('second', (ctx) => {
        ctx.provide('transport:fake', factory());
      }),
    );
    const error = await rejection(kernel.setup());
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: ErrorCodes.SERVICE, plugin: 'second' });
    expect(error.message).toContain('already provided by plugin first');
  });

  it('keeps the first provider in place after a duplicate is refused', async () => {
    const original = factory();
    const kernel = makeKernel(
      plugin('first', (ctx) => {
        ctx.provide('transport:fake', original);
      }),
      plugin('second', (ctx) => {
        ctx.provide('transport:fake', factory());
      }),
    );
    await rejection(kernel.setup());
    expect(kernel.services.get('transport:fake')).toBe(original);
    expect(kernel.services.providerOf('transport:fake')).toBe('first');
  });
});
