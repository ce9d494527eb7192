/**
 * One request against the rules that apply to it. Every applicable rule counts the request, in
 * parallel, refused or not (so each rule's counter is simply "requests seen in its window"); the
 * request is refused when any rule is over its limit, naming the rule whose window ends last (the
 * wait that lets it through everywhere). A store that fails or does not answer in time is reported
 * as such, unless another rule already refuses the request.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { KeyValues, Rule } from './rules.ts';

export type Decision =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'limited'; readonly rule: Rule; readonly retryAfterMs: number }
  | { readonly outcome: 'store_error'; readonly rule: Rule; readonly error: unknown };

// A store that does not answer fails on its own: the Redis connection (core/lib/redis.ts)
// gives every command `command_timeout` and queues none while disconnected.
export async function check(rules: readonly Rule[], values: KeyValues): Promise<Decision> {
  const settled = await Promise.allSettled(rules.map((rule) => rule.limiter.consume(rule.keyOf(values))));
  let limited: { rule: Rule; retryAfterMs: number } | undefined;
  let failed: { rule: Rule; error: unknown } | undefined;
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') return;
    const rule = rules[index]!;
    const reason: unknown = result.reason;
    if (reason instanceof RateLimiterRes) {
      const retryAfterMs = Math.max(0, reason.msBeforeNext);
      if (!limited || retryAfterMs > limited.retryAfterMs) limited = { rule, retryAfterMs };
    } else {
      failed ??= { rule, error: reason };
    }
  });
  if (limited) return { outcome: 'limited', ...limited };
  if (failed) return { outcome: 'store_error', ...failed };
  return { outcome: 'allowed' };
}
