/**
 * The kernel: sets plugins up in order, collects their hooks, runs each hook by its kind, and
 * tears everything down in reverse. It knows no plugin; it knows the plan the loader made.
 */
import type { Logger } from 'pino';
import type { Handler } from 'hono';
import { composeOnion, type OnionLayer } from './compose.ts';
import type { GatewayConfig } from '../kernel/config/schema.ts';
import { closest } from '../kernel/closest.ts';
import type { GatewayEnv, OperationContext, UpstreamLists } from '../kernel/context.ts';
import { ErrorCodes, GatewayError, tagError } from '../kernel/errors.ts';
import type { GatewayEvent } from '../kernel/events.ts';
import { LogThrottle } from '../kernel/log-throttle.ts';
import {
  hookKinds,
  hookNames,
  type HookName,
  type HookOrder,
  type HookSignatures,
  type PluginHooks,
  type RegisteredHook,
} from '../kernel/hooks.ts';
import type { PlannedPlugin } from '../kernel/planned-plugin.ts';
import type { ServedTool } from '../kernel/served-tool.ts';
import type { GatewayView, HttpMethod, RouteOptions, SetupContext } from '../kernel/plugin.ts';
import { ServiceRegistry } from './service-registry.ts';

export interface PluginRoute {
  readonly plugin: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: Handler<GatewayEnv>;
  readonly options: RouteOptions;
}

export interface KernelOptions {
  readonly plugins: readonly PlannedPlugin[];
  readonly config: GatewayConfig;
  readonly baseDir: string;
  readonly logger: Logger;
  readonly gateway: GatewayView;
}

type ListHookName = Exclude<
  { [K in HookName]: (typeof hookKinds)[K] extends 'reduce' ? K : never }[HookName],
  'onCatalogue'
>;
type OperationHookName = Exclude<
  { [K in HookName]: (typeof hookKinds)[K] extends 'onion' ? K : never }[HookName],
  'onRequest'
>;
type ListItem<K extends ListHookName> = Parameters<HookSignatures[K]>[0][number];
type OperationTypes<K extends OperationHookName> = HookSignatures[K] extends (
  ctx: infer C,
  next: () => Promise<infer R>,
) => Promise<unknown>
  ? { ctx: C; result: R }
  : never;

const DEFAULT_SETUP_TIMEOUT_MS = 10_000;
const SHUTDOWN_HOOK_TIMEOUT_MS = 5_000;

export class Kernel {
  readonly services = new ServiceRegistry();
  readonly routes: PluginRoute[] = [];
  /** The tools plugins serve themselves, in load order. */
  readonly tools: ServedTool[] = [];
  readonly #options: KernelOptions;
  readonly #hooks = new Map<HookName, RegisteredHook<HookName>[]>();
  readonly #observerErrors = new Map<string, LogThrottle>();
  /** Plugins whose setup completed, in order: the ones to tear down. */
  readonly #setUp: string[] = [];

  constructor(options: KernelOptions) {
    this.#options = options;
    for (const name of hookNames) this.#hooks.set(name, []);
  }

  /** Set every plugin up in order; on failure, tear down what was set up and rethrow. */
  async setup(): Promise<void> {
    for (const plugin of this.#options.plugins) {
      try {
        await this.#setupOne(plugin);
      } catch (error) {
        const errors = await this.shutdown();
        for (const e of errors) this.#options.logger.error({ err: e }, 'teardown after failed boot');
        throw error;
      }
    }
  }

  /** The hooks registered under a name, `pre` first and `post` last, otherwise in load order. */
  hooks<K extends HookName>(name: K): readonly RegisteredHook<K>[] {
    return this.#hooks.get(name) as unknown as RegisteredHook<K>[];
  }

  /**
   * Run a reduce-kind hook chain over a list, but for the hooks of `except` (a plugin asking what
   * the others make of the list). A failing hook fails the request.
   */
  async runList<K extends ListHookName>(
    name: K,
    items: readonly ListItem<K>[],
    ctx: OperationContext,
    except?: string,
  ): Promise<readonly ListItem<K>[]> {
    let current = items;
    for (const hook of this.hooks(name)) {
      if (hook.plugin === except) continue;
      let next: unknown;
      try {
        next = await (hook.handler as (items: readonly unknown[], ctx: OperationContext) => unknown)(current, ctx);
      } catch (error) {
        throw tagError(error, hook.plugin, name);
      }
      if (next === undefined) continue;
      if (!Array.isArray(next)) {
        throw new GatewayError(ErrorCodes.HOOK_FAILED, 'a list hook must return an array or nothing', {
          plugin: hook.plugin,
          hook: name,
        });
      }
      current = next as readonly ListItem<K>[];
    }
    return current;
  }

  /** Run the `onCatalogue` chain over one upstream's lists; a failing hook throws, tagged with its plugin. */
  shapeCatalogue(lists: UpstreamLists): UpstreamLists {
    let current = lists;
    for (const hook of this.hooks('onCatalogue')) {
      let next: UpstreamLists | void;
      try {
        next = hook.handler(current);
      } catch (error) {
        throw tagError(error, hook.plugin, 'onCatalogue');
      }
      if (next === undefined) continue;
      if (!isLists(next)) {
        throw new GatewayError(ErrorCodes.HOOK_FAILED, 'an onCatalogue hook must return the lists or nothing', {
          plugin: hook.plugin,
          hook: 'onCatalogue',
        });
      }
      current = next;
    }
    return current;
  }

  /** Compose an onion-kind operation chain around the kernel's terminal step (once, at boot). */
  operation<K extends OperationHookName>(
    name: K,
    terminal: (ctx: OperationTypes<K>['ctx']) => Promise<OperationTypes<K>['result']>,
  ): (ctx: OperationTypes<K>['ctx']) => Promise<OperationTypes<K>['result']> {
    type Ctx = OperationTypes<K>['ctx'];
    type Result = OperationTypes<K>['result'];
    const layers: OnionLayer<Ctx, Result>[] = this.hooks(name).map((hook) => ({
      plugin: hook.plugin,
      hook: name,
      handler: hook.handler as unknown as OnionLayer<Ctx, Result>['handler'],
    }));
    return composeOnion(layers, terminal);
  }

  /** Tell every observer; never waits, never throws (an observer's failure is logged, once per plugin and minute). */
  emit(event: GatewayEvent): void {
    for (const hook of this.hooks('onEvent')) {
      try {
        const result = hook.handler(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.#observerFailed(hook.plugin, error));
      } catch (error) {
        this.#observerFailed(hook.plugin, error);
      }
    }
  }

  #observerFailed(plugin: string, error: unknown): void {
    let throttle = this.#observerErrors.get(plugin);
    if (!throttle) this.#observerErrors.set(plugin, (throttle = new LogThrottle()));
    const unlogged = throttle.occurred();
    if (unlogged === undefined) return;
    this.#options.logger.error(
      { err: error, plugin, ...(unlogged > 0 && { failures_not_logged: unlogged }) },
      'an onEvent hook failed (further failures of this plugin are muted for a minute)',
    );
  }

  /** Run every `onShutdown` in reverse load order, each with its own timeout; return what failed. */
  async shutdown(): Promise<Error[]> {
    const errors: Error[] = [];
    const hooks = this.hooks('onShutdown')
      .filter((h) => this.#setUp.includes(h.plugin))
      .reverse();
    this.#setUp.length = 0;
    for (const hook of hooks) {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new GatewayError(ErrorCodes.HOOK_FAILED, `did not finish within ${SHUTDOWN_HOOK_TIMEOUT_MS} ms`));
        }, SHUTDOWN_HOOK_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.resolve().then(() => hook.handler({ signal: controller.signal })), timeout]);
      } catch (error) {
        errors.push(tagError(error, hook.plugin, 'onShutdown'));
      } finally {
        clearTimeout(timer);
      }
    }
    return errors;
  }

  /**
   * Give a plugin its options from a reloaded configuration: false when it has no `onReload` (the
   * options take effect at the next start); throws, tagged with the plugin, when it refuses them.
   */
  async reload(plugin: string, options: unknown): Promise<boolean> {
    const hook = this.hooks('onReload').find((h) => h.plugin === plugin);
    if (!hook) return false;
    try {
      await hook.handler({ options });
    } catch (error) {
      throw tagError(error, plugin, 'onReload');
    }
    return true;
  }

  /** The resolved chain, for the boot log and `validate`: hook name to `plugin(order)` list. */
  describeHooks(): Record<string, string[]> {
    const chain: Record<string, string[]> = {};
    for (const name of hookNames) {
      const hooks = this.hooks(name);
      if (hooks.length) chain[name] = hooks.map((h) => (h.order ? `${h.plugin}(${h.order})` : h.plugin));
    }
    return chain;
  }

  async #setupOne(plugin: PlannedPlugin): Promise<void> {
    const { definition } = plugin;
    const name = definition.name;
    const controller = new AbortController();
    // Once setup has timed out or failed, a late call must not change the running gateway.
    const during =
      <A extends unknown[], R>(action: string, fn: (...args: A) => R) =>
      (...args: A): R => {
        if (controller.signal.aborted) {
          throw new GatewayError(ErrorCodes.SETUP_FAILED, `${action} after setup ended`, {
            plugin: name,
            hook: 'setup',
          });
        }
        return fn(...args);
      };
    const ctx: SetupContext = {
      name,
      options: plugin.options,
      config: this.#options.config,
      baseDir: this.#options.baseDir,
      logger: this.#options.logger.child({ plugin: name }),
      signal: controller.signal,
      gateway: this.#options.gateway,
      http: {
        route: during('http.route', (method, path, handler, options = {}) => {
          this.routes.push({ plugin: name, method, path, handler, options });
        }),
      },
      provide: during('provide', (service, value) => this.services.provide(service, value, name)),
      serveTool: during('serveTool', (definition, handler) => {
        this.tools.push({ plugin: name, definition, handler });
      }),
      use: (service) => this.services.use(service, name),
      find: (service) => this.services.get(service),
    };
    const timeoutMs = definition.setupTimeout ?? DEFAULT_SETUP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new GatewayError(ErrorCodes.SETUP_TIMEOUT, `setup did not finish within ${timeoutMs} ms`, {
            plugin: name,
            hook: 'setup',
          }),
        );
      }, timeoutMs);
    });
    let hooks: PluginHooks | void;
    try {
      hooks = await Promise.race([Promise.resolve().then(() => definition.setup(ctx)), timeout]);
    } catch (error) {
      controller.abort();
      if (error instanceof GatewayError && error.code === ErrorCodes.SETUP_TIMEOUT) throw error;
      if (error instanceof GatewayError && error.plugin !== undefined) throw error;
      throw new GatewayError(ErrorCodes.SETUP_FAILED, error instanceof Error ? error.message : String(error), {
        plugin: name,
        hook: 'setup',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    this.#register(name, hooks ?? {});
    this.#setUp.push(name);
    const transport = definition.transport;
    if (transport && !this.services.get(`transport:${transport.type}`)) {
      throw new GatewayError(
        ErrorCodes.SETUP_FAILED,
        `declares transport "${transport.type}" but did not provide("transport:${transport.type}", ...)`,
        { plugin: name, hook: 'setup' },
      );
    }
  }

  /**
   * Register a plugin's hooks all at once, or none: a plugin with one bad hook must not run half
   * of its hooks. Its `onShutdown`, when valid, is kept even then, so that what its setup acquired
   * is released by the teardown that follows.
   */
  #register(plugin: string, hooks: PluginHooks): void {
    if (typeof hooks !== 'object' || hooks === null) {
      throw new GatewayError(ErrorCodes.SETUP_FAILED, 'setup must return an object of hooks, or nothing', {
        plugin,
        hook: 'setup',
      });
    }
    const valid: RegisteredHook<HookName>[] = [];
    let problem: GatewayError | undefined;
    for (const [key, entry] of Object.entries(hooks) as [string, unknown][]) {
      if (!Object.hasOwn(hookKinds, key)) {
        const guess = closest(key, hookNames);
        problem ??= new GatewayError(
          ErrorCodes.UNKNOWN_HOOK,
          `unknown hook "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
          {
            plugin,
            hook: key,
          },
        );
        continue;
      }
      const name = key as HookName;
      const { handler, order } = normalizeEntry(entry);
      if (typeof handler !== 'function' || (order !== undefined && order !== 'pre' && order !== 'post')) {
        problem ??= new GatewayError(
          ErrorCodes.SETUP_FAILED,
          `hook ${name} must be a function or { order: 'pre' | 'post', handler }`,
          {
            plugin,
            hook: name,
          },
        );
        continue;
      }
      valid.push({ plugin, hook: name, order, handler: handler as HookSignatures[HookName] });
    }
    const accepted = problem ? valid.filter((hook) => hook.hook === 'onShutdown') : valid;
    const rank = (o: HookOrder | undefined) => (o === 'pre' ? 0 : o === 'post' ? 2 : 1);
    for (const hook of accepted) {
      const list = this.#hooks.get(hook.hook)!;
      list.push(hook);
      // Array.prototype.sort is stable, so load order is kept within each rank.
      list.sort((a, b) => rank(a.order) - rank(b.order));
    }
    if (problem) {
      if (accepted.length) this.#setUp.push(plugin);
      throw problem;
    }
  }
}

function normalizeEntry(entry: unknown): { handler: unknown; order: HookOrder | undefined } {
  if (typeof entry === 'function') return { handler: entry, order: undefined };
  if (entry && typeof entry === 'object' && 'handler' in entry) {
    const { handler, order } = entry as { handler: unknown; order?: HookOrder };
    return { handler, order };
  }
  return { handler: entry, order: undefined };
}

/** A hook's answer has the four lists (a promise, or a forgotten spread, would not). */
const isLists = (value: unknown): value is UpstreamLists =>
  typeof value === 'object' &&
  value !== null &&
  ['tools', 'prompts', 'resources', 'resourceTemplates'].every((key) =>
    Array.isArray((value as Record<string, unknown>)[key]),
  );
