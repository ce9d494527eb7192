/**
 * A Redis connection for plugins that share state between gateway replicas (rate limits, cached
 * results, sessions), configured the same way everywhere. Commands fail fast instead of queueing
 * while Redis is unreachable, so that a caller can decide (fail open or closed) rather than hang;
 * ioredis reconnects in the background. ioredis is loaded only by plugins that use Redis.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../kernel/context.ts';
import { duration } from '../kernel/config/units.ts';

export const redisConnectionSchema = z.strictObject({
  /** `redis://[user:password@]host:port/db`, or `rediss://` for TLS. */
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
  /** Prepended to every key, so that several gateways (or apps) can share one Redis. */
  key_prefix: z.string().default('mcp-gateway:'),
  connect_timeout: duration.prefault('2s'),
  /** How long one command may take before it fails. */
  command_timeout: duration.prefault('500ms'),
});

export type RedisConnectionOptions = z.output<typeof redisConnectionSchema>;

/** The `store:` and `redis:` keys of a plugin whose state lives in this process or in Redis. */
export const storeChoiceShape = {
  /** memory: this process only; redis: shared by every gateway using the same Redis. */
  store: z.enum(['memory', 'redis']).default('memory'),
  redis: redisConnectionSchema.optional(),
};

/**
 * For a plugin's `superRefine`: `store: redis` needs `redis:`, and `redis:` with `store: memory`
 * would be silently ignored; both stop the boot with the fix.
 */
export function checkStoreChoice(
  options: { store: 'memory' | 'redis'; redis?: unknown },
  ctx: z.RefinementCtx,
  section: string,
): void {
  if (options.store === 'redis' && !options.redis) {
    ctx.addIssue({
      code: 'custom',
      path: ['redis'],
      message: 'is required when store is "redis"',
      params: { fix: 'add redis: { url: redis://host:6379 }' },
    });
  }
  if (options.store === 'memory' && options.redis) {
    ctx.addIssue({
      code: 'custom',
      path: ['redis'],
      message: 'is set but store is "memory"',
      params: { fix: `set store: redis, or remove ${section}.redis` },
    });
  }
}

/**
 * Whether a reloaded configuration moves a plugin's state to another store (memory ↔ Redis, or
 * another Redis): that takes a restart, since the state cannot follow.
 */
export function storeChanged(
  running: { store: 'memory' | 'redis'; redis?: RedisConnectionOptions },
  next: { store: 'memory' | 'redis'; redis?: RedisConnectionOptions },
): boolean {
  return running.store !== next.store || JSON.stringify(running.redis) !== JSON.stringify(next.redis);
}

/** A connected client; `ready` tells whether commands can go through now. */
export async function connectRedis(options: RedisConnectionOptions, logger: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(options.url, {
    keyPrefix: options.key_prefix,
    connectTimeout: options.connect_timeout,
    commandTimeout: options.command_timeout,
    // Fail commands at once while disconnected (no offline queue, no per-command retries):
    // the plugin decides what a failure means; ioredis keeps reconnecting meanwhile.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(200 * 2 ** attempt, 5000),
    lazyConnect: true,
  });
  let lastError = '';
  client.on('error', (error: Error) => {
    // One line per distinct failure, not one per reconnection attempt.
    if (error.message !== lastError) logger.warn({ err: error, redis: redact(options.url) }, 'redis error');
    lastError = error.message;
  });
  client.on('ready', () => {
    if (lastError) logger.info({ redis: redact(options.url) }, 'redis reachable again');
    lastError = '';
  });
  await client
    .connect()
    .catch((error: Error) => logger.warn({ err: error, redis: redact(options.url) }, 'redis not reachable yet'));
  return client;
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'redis://(invalid url)';
  }
}
