/** Reconnection delays: exponential, capped, with jitter so that replicas do not retry in step. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of the delay randomised either way (0.2 = ±20 %). */
  readonly jitter: number;
}

export const defaultBackoff: BackoffSettings = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const base = Math.min(settings.maxMs, settings.initialMs * settings.factor ** Math.max(0, attempt));
  const spread = base * settings.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
