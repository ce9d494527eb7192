/** A real redis-server on a free loopback port (or the given one, to bring a stopped Redis back). */
import { startRedisServer, type RedisServer } from '../../scripts/redis-server.ts';
import { freePort } from './processes.ts';

export type { RedisServer };

export async function startRedis(port?: number): Promise<RedisServer> {
  return startRedisServer(port ?? (await freePort()));
}
