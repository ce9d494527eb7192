/**
 * The Redis connection every Redis-backed plugin uses (core/lib/redis.ts), against a real
 * redis-server: it fails fast while Redis is away (no queue, no hang), reconnects by itself,
 * applies the key prefix, says so in the log once per outage, and never logs the password.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, expect } from 'vitest';
import { connectRedis, redisConnectionSchema } from '../../core/lib/redis.ts';
import { freePort } from '../helpers/processes.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { itWith, redisServer } from '../helpers/debian.ts';

const it = itWith('the Redis connection tests', redisServer);

const servers: RedisServer[] = [];
afterEach(async () => Promise.all(servers.splice(0).map((server) => server.stop())));

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write: (chunk: Buffer, _encoding, done) => (
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()
      ),
    }),
  );
  return { logger, lines };
}

it('fails commands at once while Redis is away, and works once it is there, with the key prefix', async () => {
  const port = await freePort();
  const { logger, lines } = capturingLogger();
  const options = redisConnectionSchema.parse({
    url: `redis://:not-logged-secret@127.0.0.1:${port}`,
    key_prefix: 'test-prefix:',
  });
  const client = await connectRedis(options, logger);
  try {
    const started = Date.now();
    await expect(client.set('k', 'v')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(200);
    expect(lines.some((line) => line.msg === 'redis not reachable yet')).toBe(true);

    servers.push(await startRedis(port));
    await expect
      .poll(
        () =>
          client.set('k', 'v').then(
            () => 'ok',
            () => 'refused',
          ),
        { timeout: 10_000, interval: 100 },
      )
      .toBe('ok');
    expect(await client.get('k')).toBe('v');
    const raw = await connectRedis(
      redisConnectionSchema.parse({ url: `redis://127.0.0.1:${port}`, key_prefix: '' }),
      logger,
    );
    expect(await raw.get('test-prefix:k')).toBe('v');
    raw.disconnect();
    await expect.poll(() => lines.some((line) => line.msg === 'redis reachable again'), { timeout: 10_000 }).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('not-logged-secret');
  } finally {
    client.disconnect();
  }
});
