/**
 * Results in Redis, shared by every gateway replica using it: `SET ... PX ttl` and `GET` of JSON
 * text. Each server has a generation number in Redis (`cache:generation:<server>`) that is part
 * of its results' keys; a reconnection increments it, so every replica stops seeing the server's
 * older results at once, and Redis expires them. When that increment fails (Redis unreachable),
 * the server is marked stale here: its lookups fail (misses) until the increment goes through.
 * The client fails fast (core's `connectRedis`): a command never waits for a connection.
 */
import type { Redis } from 'ioredis';
import type { Lookup, ResultStore } from './store.ts';

const generationKey = (server: string) => `cache:generation:${encodeURIComponent(server)}`;
const resultKey = (server: string, generation: string, hash: string) =>
  `cache:result:${encodeURIComponent(server)}:${generation}:${hash}`;

export class RedisStore implements ResultStore {
  readonly #client: Redis;
  /** Servers whose generation must be incremented before their results may be used again. */
  readonly #stale = new Set<string>();

  constructor(client: Redis) {
    this.#client = client;
  }

  async lookup(server: string, hash: string): Promise<Lookup> {
    if (this.#stale.has(server)) await this.#increment(server);
    const generation = (await this.#client.get(generationKey(server))) ?? '0';
    const key = resultKey(server, generation, hash);
    const value = (await this.#client.get(key)) ?? undefined;
    return {
      value,
      save: async (json, ttlMs) => {
        await this.#client.set(key, json, 'PX', ttlMs);
      },
    };
  }

  async forget(server: string): Promise<void> {
    this.#stale.add(server);
    await this.#increment(server);
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  async #increment(server: string): Promise<void> {
    await this.#client.incr(generationKey(server));
    this.#stale.delete(server);
  }
}
