import type { BackoffSettings } from '../../kernel/config/upstream-policy.ts';

/** The delay before reconnection attempt `attempt` (0 for the first): exponential, capped, with jitter. */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const base = Math.min(settings.maxMs, settings.initialMs * settings.factor ** Math.max(0, attempt));
  const spread = base * settings.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
