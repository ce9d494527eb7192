/**
 * The onion composer for operation hooks: each layer calls `next()` at most once; a second call
 * is a plugin bug and fails loudly rather than calling the upstream twice. An error thrown by a
 * layer is tagged with that layer's plugin and hook; an error that merely passes through a layer
 * on its way out of `next()` keeps its origin.
 */
import { ErrorCodes, GatewayError, tagError } from '../kernel/errors.ts';

export interface OnionLayer<Ctx, Result> {
  readonly plugin: string;
  readonly hook: string;
  readonly handler: (ctx: Ctx, next: () => Promise<Result>) => Promise<Result>;
}

export type Terminal<Ctx, Result> = (ctx: Ctx) => Promise<Result>;

export function composeOnion<Ctx, Result>(
  layers: readonly OnionLayer<Ctx, Result>[],
  terminal: Terminal<Ctx, Result>,
): (ctx: Ctx) => Promise<Result> {
  if (layers.length === 0) return terminal;

  return function runOnion(ctx: Ctx): Promise<Result> {
    const dispatch = (index: number): Promise<Result> => {
      if (index === layers.length) return terminal(ctx);
      const layer = layers[index]!;
      let called = false;
      let nextError: { error: unknown } | undefined;
      const next = async (): Promise<Result> => {
        if (called) {
          throw new GatewayError(ErrorCodes.NEXT_CALLED_TWICE, 'next() called more than once', {
            plugin: layer.plugin,
            hook: layer.hook,
          });
        }
        called = true;
        try {
          return await dispatch(index + 1);
        } catch (error) {
          nextError = { error };
          throw error;
        }
      };
      return Promise.resolve()
        .then(() => layer.handler(ctx, next))
        .catch((error: unknown) => {
          if (nextError && nextError.error === error) throw error;
          throw tagError(error, layer.plugin, layer.hook);
        });
    };
    return dispatch(0);
  };
}
