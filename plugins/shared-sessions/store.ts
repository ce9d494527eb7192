/**
 * Session records in Redis, one key per session with the idle TTL as its expiry, so that every
 * replica finds every session. A record is touched at most once per tenth of the TTL (not on every
 * request: that would add a Redis round trip to each tool call), and the sessions this replica
 * holds are checked for expiry with one EXISTS per sweep.
 */
import type { Redis } from 'ioredis';
import type { SessionRecord, SessionStore } from 'mcp-gateway';

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  /** Sessions this replica wrote or touched, with when it last pushed their expiry. */
  readonly #held = new Map<string, number>();

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const text = await this.#redis.get(key(id));
    return text === null ? undefined : (JSON.parse(text) as SessionRecord);
  }

  async set(record: SessionRecord, ttlMs: number): Promise<void> {
    this.#held.set(record.id, Date.now());
    await this.#redis.set(key(record.id), JSON.stringify(record), 'PX', ttlMs);
  }

  async delete(id: string): Promise<void> {
    this.#held.delete(id);
    await this.#redis.del(key(id));
  }

  async expire(id: string, ttlMs: number): Promise<void> {
    const last = this.#held.get(id) ?? 0;
    if (Date.now() - last < ttlMs / 10) return;
    this.#held.set(id, Date.now());
    await this.#redis.pexpire(key(id), ttlMs);
  }

  /** Of the sessions this replica holds, those whose record is gone (expired, or closed on another replica). */
  async expired(): Promise<string[]> {
    const ids = [...this.#held.keys()];
    if (ids.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.exists(key(id));
    const results = (await pipeline.exec()) ?? [];
    const gone = ids.filter((_, i) => results[i]?.[0] === null && results[i]?.[1] === 0);
    for (const id of gone) this.#held.delete(id);
    return gone;
  }
}

const key = (id: string) => `session:${id}`;
