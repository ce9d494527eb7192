/**
 * The counters of one rule, on rate-limiter-flexible: fixed windows of `requests` points, in this
 * process (`RateLimiterMemory`) or in Redis (`RateLimiterRedis`, atomic in a Lua script, shared by
 * every gateway on that Redis), with an optional burst allowance (`BurstyRateLimiter`: once the
 * main points are spent, the burst's are used, refilled on their own window). A refusal rejects
 * with a `RateLimiterRes`; a store failure with an Error, at once when Redis is not connected.
 */
import type { Redis } from 'ioredis';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';

export interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
}

export interface Allowance {
  readonly requests: number;
  readonly windowMs: number;
}

/** Where counters live: `undefined` for this process's memory. */
export type Store = Redis | undefined;

function limiter(
  store: Store,
  keyPrefix: string,
  { requests, windowMs }: Allowance,
): RateLimiterMemory | RateLimiterRedis {
  const options = { keyPrefix, points: requests, duration: windowMs / 1000 };
  if (!store) return new RateLimiterMemory(options);
  // Not ready (reconnecting): fail at once rather than wait for a command timeout.
  return new RateLimiterRedis({ ...options, storeClient: store, rejectIfRedisNotReady: true });
}

/** The limiter of a rule named `name` (also its keys' prefix in Redis: `rate-limit:<name>:`). */
export function ruleLimiter(store: Store, name: string, allowance: Allowance, burst: Allowance | undefined): Limiter {
  const main = limiter(store, `rate-limit:${name}`, allowance);
  if (!burst) return main;
  return new BurstyRateLimiter(main, limiter(store, `rate-limit:${name}:burst`, burst));
}
