/**
 * Session records in Redis, one key per session with the idle TTL as its expiry, so that every
 * replica finds every session, and its upstream sessions in a hash beside it (added one at a time,
 * atomically, as replicas open them). A record is touched at most once per tenth of the TTL (not on every
 * request: that would add a Redis round trip to each tool call), and the sessions this replica
 * holds are checked for expiry with one EXISTS per sweep.
 */
import type { Redis } from 'ioredis';
import type { SessionRecord, SessionStore, UpstreamSessionState } from 'mcp-gateway';

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  /** Sessions this replica wrote or touched, with when it last pushed their expiry. */
  readonly #held = new Map<string, number>();

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const [[, text], [, upstreams]] = (await this.#redis.multi().get(key(id)).hgetall(upstreamsKey(id)).exec()) as [
      [null, string | null],
      [null, Record<string, string>],
    ];
    if (text === null) return undefined;
    const record = JSON.parse(text) as SessionRecord;
    const names = Object.keys(upstreams);
    if (names.length === 0) return record;
    const upstreamSessions = Object.fromEntries(
      names.map((name) => [name, JSON.parse(upstreams[name]!) as UpstreamSessionState]),
    );
    return { ...record, upstreamSessions: { ...record.upstreamSessions, ...upstreamSessions } };
  }

  async set(record: SessionRecord, ttlMs: number): Promise<void> {
    this.#held.set(record.id, Date.now());
    const { upstreamSessions, ...rest } = record;
    const transaction = this.#redis.multi().set(key(record.id), JSON.stringify(rest), 'PX', ttlMs);
    const fields = Object.entries(upstreamSessions ?? {}).flatMap(([name, state]) => [name, JSON.stringify(state)]);
    if (fields.length > 0) transaction.hset(upstreamsKey(record.id), ...fields);
    await transaction.pexpire(upstreamsKey(record.id), ttlMs).exec();
  }

  async rememberUpstream(id: string, server: string, state: UpstreamSessionState): Promise<void> {
    await this.#redis.eval(REMEMBER_UPSTREAM, 2, key(id), upstreamsKey(id), server, JSON.stringify(state));
  }

  async delete(id: string): Promise<void> {
    this.#held.delete(id);
    await this.#redis.del(key(id), upstreamsKey(id));
  }

  async expire(id: string, ttlMs: number): Promise<void> {
    const last = this.#held.get(id) ?? 0;
    if (Date.now() - last < ttlMs / 10) return;
    this.#held.set(id, Date.now());
    await this.#redis.multi().pexpire(key(id), ttlMs).pexpire(upstreamsKey(id), ttlMs).exec();
  }

  /** Of the sessions this replica holds, those whose record is gone (expired, or closed on another replica). */
  /** The first replica to propose one sets it (SET NX); every replica reads back the one that won. */
  async sharedSecret(name: string, proposed: string): Promise<string> {
    await this.#redis.set(secretKey(name), proposed, 'NX');
    return (await this.#redis.get(secretKey(name))) ?? proposed;
  }

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
const secretKey = (name: string) => `secret:${name}`;
/** A session's upstream sessions: a hash by server name beside the record, so that each is added in one step. */
const upstreamsKey = (id: string) => `session:${id}:upstreams`;

/** Add one upstream session to a record that still exists, expiring with it. */
const REMEMBER_UPSTREAM = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;
