/**
 * A result cache for tool calls (`cache:` section): opt-in by `server:tool` rules, by default only
 * for tools annotated read-only or idempotent, keyed per caller, server, tool and canonical
 * arguments, in memory (one process) or in Redis (shared by replicas). It runs closest to the
 * upstream (`order: 'post'`), after permissions: a denied caller never reaches it. A server that
 * reconnects loses its cached results. The catalogue (tool, prompt and resource lists) needs no
 * plugin: the kernel already serves it from memory (see README.md).
 */
import { definePlugin } from 'mcp-gateway';
import { connectRedis, storeChanged } from 'mcp-gateway/redis';
import { cacheCalls } from './call-hook.ts';
import { MemoryStore } from './memory-store.ts';
import { cacheMetrics } from './metrics.ts';
import { optionsSchema, type CacheOptions } from './options.ts';
import { RedisStore } from './redis-store.ts';
import { compileRules, deadPatterns } from './rules.ts';
import { storeErrorReporter } from './store-errors.ts';
import type { ResultStore } from './store.ts';

export default definePlugin({
  name: 'cache',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'cache',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { options, logger } = ctx;
    const compile = (rules: CacheOptions['rules'], servers: readonly string[]) => {
      const compiled = compileRules(rules);
      for (const pattern of deadPatterns(compiled, servers)) {
        logger.warn(
          { pattern },
          `cache rule pattern "${pattern}" matches no server in proxy.servers: it caches nothing`,
        );
      }
      return compiled;
    };
    const rules = compile(
      options.rules,
      ctx.config.proxy.servers.map((server) => server.name),
    );
    const store: ResultStore =
      options.store === 'redis'
        ? new RedisStore(await connectRedis(options.redis!, logger))
        : new MemoryStore(options.max_entries);
    const metrics = cacheMetrics(() => ctx.find('metrics'));
    const storeError = storeErrorReporter(logger, metrics.storeError);
    logger.info(
      { store: options.store, rules: rules.length, max_result_size: options.max_result_size },
      'result cache ready',
    );

    /** Servers connected at least once by this process: their next `ready` is a reconnection. */
    const connected = new Set<string>();

    /** The rules in force; a reload (SIGHUP) with other rules or sizes replaces the handler (the store and its entries stay). */
    let running = options;
    let handler = cacheCalls({ rules, store, maxResultSize: options.max_result_size, metrics, storeError });

    return {
      onCallTool: { order: 'post', handler: (call, next) => handler(call, next) },
      onReload({ options: next }) {
        if (storeChanged(running, next) || next.max_entries !== running.max_entries) {
          throw new Error('changing cache.store, cache.redis or cache.max_entries takes a restart');
        }
        const servers = ctx.gateway.status().upstreams.map((upstream) => upstream.name);
        handler = cacheCalls({
          rules: compile(next.rules, servers),
          store,
          maxResultSize: next.max_result_size,
          metrics,
          storeError,
        });
        running = next;
        logger.info({ rules: next.rules.length, max_result_size: next.max_result_size }, 'cache rules reloaded');
      },
      onEvent(event) {
        if (event.type !== 'upstream' || event.state !== 'ready') return;
        // The first connection has nothing to forget (and must not flush what other replicas share).
        if (!connected.has(event.server)) return void connected.add(event.server);
        logger.info({ server: event.server }, 'upstream reconnected: its cached results are forgotten');
        return store.forget(event.server).catch((error: unknown) => storeError('forget', error));
      },
      onShutdown: () => store.close(),
    };
  },
});
