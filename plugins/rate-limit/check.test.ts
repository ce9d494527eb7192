/**
 * The decision over several rules, with limiters that fail on purpose: a refusal beats a store
 * failure (the request is over a limit either way) and the longest wait is named. A store that
 * never answers is Redis's command timeout's to end (redis.e2e.test.ts freezes a real one).
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { check } from './check.ts';
import { compileRule, type Rule } from './rules.ts';
import type { Limiter } from './store.ts';

const rule = (name: string, limiter: Limiter): Rule => ({
  ...compileRule({ name, requests: 1, window: 60_000, key: ['principal'] }, undefined),
  limiter,
});
const refuses = (msBeforeNext: number): Limiter => ({
  consume: () => Promise.reject(new RateLimiterRes(0, msBeforeNext, 2, false)),
});
const allows: Limiter = { consume: () => Promise.resolve(new RateLimiterRes(0, 1000, 1, true)) };
const fails: Limiter = { consume: () => Promise.reject(new Error('Redis connection is not ready')) };
const values = { principal: 'sub:alice' };

describe('check', () => {
  it('allows when every rule allows', async () => {
    expect(await check([rule('a', allows), rule('b', allows)], values)).toEqual({ outcome: 'allowed' });
  });

  it("names the refusing rule with the longest wait, even when another rule's store failed", async () => {
    const decision = await check(
      [rule('short', refuses(5000)), rule('broken', fails), rule('long', refuses(50_000))],
      values,
    );
    expect(decision).toMatchObject({ outcome: 'limited', rule: { name: 'long' }, retryAfterMs: 50_000 });
  });

  it('reports a store failure', async () => {
    expect(await check([rule('a', allows), rule('broken', fails)], values)).toMatchObject({
      outcome: 'store_error',
      rule: { name: 'broken' },
    });
  });
});

describe('keys and descriptions', () => {
  it('keeps each key part apart, so that no value can forge another key', () => {
    const r = compileRule(
      { name: 'r', requests: 1, window: 1000, key: ['principal', 'tool'], tools: '*:*' },
      undefined,
    );
    expect(r.keyOf({ principal: 'sub:a&tool=x', tool: 'srv:t' })).toBe('principal=sub%3Aa%26tool%3Dx&tool=srv%3At');
    expect(compileRule({ name: 'all', requests: 1, window: 1000, key: [] }, undefined).keyOf(values)).toBe('all');
  });

  it('describes itself as people write limits', () => {
    const rule = compileRule(
      { name: 'r', requests: 1, window: 90_000, key: [], burst: { requests: 5, window: 3_661_000 } },
      undefined,
    );
    expect(rule.description).toBe('1 request per 1m30s (plus a burst of 5 requests per 1h1m1s)');
  });
});
