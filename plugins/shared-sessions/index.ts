/**
 * Shared sessions (`shared_sessions:` section): every replica of the gateway serves every session,
 * with no sticky sessions. Session records live in Redis; a replica that gets a request for a
 * session it does not hold takes it over from its record. Messages for exchanges held by another
 * replica (the client's answer to a sampling request, a cancellation, a notification for its GET
 * stream) go through Redis pub/sub.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { definePlugin } from 'mcp-gateway';
import { connectRedis } from 'mcp-gateway/redis';
import { RedisSessionBus } from './bus.ts';
import { optionsSchema } from './options.ts';
import { RedisSessionStore } from './store.ts';

export default definePlugin({
  name: 'shared-sessions',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'shared_sessions',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { options, logger } = ctx;
    const redis = await connectRedis(options.redis, logger);
    const replica = options.replica ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    // Named, so that an operator's CLIENT LIST tells which replica listens on which connection.
    const subscriber = redis.duplicate({ connectionName: `mcp-gateway-bus:${replica}` });
    ctx.provide('session-store', new RedisSessionStore(redis));
    // The bus subscribes whenever its connection becomes ready, this first time included.
    ctx.provide(
      'session-bus',
      new RedisSessionBus({ publisher: redis, subscriber, replica, channelPrefix: options.redis.key_prefix, logger }),
    );
    await subscriber.connect().catch(() => {});
    logger.info({ replica }, 'sessions shared through redis');
    return {
      async onShutdown() {
        subscriber.disconnect();
        redis.disconnect();
      },
    };
  },
});
