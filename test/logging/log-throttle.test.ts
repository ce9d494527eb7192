/** `LogThrottle`: the first occurrence is logged, then one per interval with the count muted since. */
import { expect, it } from 'vitest';
import { LogThrottle } from '../../core/kernel/index.ts';

it('logs the first occurrence, mutes the rest of the interval, then tells how many were muted', () => {
  let now = 1_000;
  const throttle = new LogThrottle(60_000, () => now);
  expect(throttle.occurred()).toBe(0);
  now += 10_000;
  expect([throttle.occurred(), throttle.occurred(), throttle.unlogged]).toEqual([undefined, undefined, 2]);
  now += 50_000;
  expect(throttle.occurred()).toBe(2);
  expect(throttle.unlogged).toBe(0);
  now += 1;
  expect(throttle.occurred()).toBeUndefined();
  throttle.reset();
  expect([throttle.unlogged, throttle.occurred()]).toEqual([0, 0]);
});
