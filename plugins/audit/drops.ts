/**
 * Lost records are counted (the `mcp_gateway_audit_dropped_total` counter, by reason) and told in
 * a warning at most once a minute: the first drop at once, the next ones in one line a minute
 * later with their count, so that a storm of drops is one line per minute, not one per record.
 */
import type { Logger } from 'mcp-gateway';
import type { DropReason } from './queue.ts';

const WARNING_INTERVAL_MS = 60_000;

export class DropReporter {
  readonly #logger: Logger;
  readonly #count: (reason: DropReason, count: number) => void;
  readonly #pending = new Map<DropReason, number>();
  #total = 0;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(logger: Logger, count: (reason: DropReason, count: number) => void) {
    this.#logger = logger;
    this.#count = count;
  }

  dropped(reason: DropReason, count: number, error?: unknown): void {
    this.#total += count;
    this.#count(reason, count);
    this.#pending.set(reason, (this.#pending.get(reason) ?? 0) + count);
    if (error !== undefined) this.#lastError = error instanceof Error ? error.message : String(error);
    if (this.#timer) return;
    this.#report();
    if (this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#pending.size > 0) return this.#report();
      clearInterval(this.#timer);
      this.#timer = undefined;
    }, WARNING_INTERVAL_MS).unref();
  }

  /** At shutdown: what was dropped since the last warning, if anything. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size > 0) this.#report();
  }

  #report(): void {
    const byReason = Object.fromEntries(this.#pending);
    const dropped = [...this.#pending.values()].reduce((a, b) => a + b, 0);
    this.#logger.warn(
      {
        dropped,
        by_reason: byReason,
        dropped_total: this.#total,
        ...(this.#lastError && { last_error: this.#lastError }),
      },
      `audit records dropped: ${dropped} (${Object.entries(byReason)
        .map(([reason, n]) => `${reason}: ${n}`)
        .join(', ')})`,
    );
    this.#pending.clear();
    this.#lastError = undefined;
  }
}
