/**
 * For warnings that come in storms (a store gone, an exporter failing on every batch): one line
 * now, then at most one per interval, each saying how many occurrences went unlogged since the
 * last. Plugins use it through `mcp-gateway`, so that every such warning behaves the same.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastLogged = -Infinity;
  #unlogged = 0;

  constructor(intervalMs = 60_000, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /**
   * Note one occurrence: returns how many went unlogged before it when this one should be
   * logged, or `undefined` when it is muted.
   */
  occurred(): number | undefined {
    const now = this.#now();
    if (now - this.#lastLogged < this.#intervalMs) {
      this.#unlogged++;
      return undefined;
    }
    const unlogged = this.#unlogged;
    this.#lastLogged = now;
    this.#unlogged = 0;
    return unlogged;
  }

  /** Occurrences muted since the last logged one. */
  get unlogged(): number {
    return this.#unlogged;
  }

  /** The trouble is over: the next occurrence is logged at once. */
  reset(): void {
    this.#lastLogged = -Infinity;
    this.#unlogged = 0;
  }
}
