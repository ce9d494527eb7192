/**
 * What the plugin tells operators: refusals (a log line each, and `mcp_gateway_rate_limited_total`
 * by rule) and store failures (`mcp_gateway_rate_limit_store_errors_total` by outcome, and a
 * warning at most once a minute with the count since the last one, so that a Redis outage is one
 * line a minute, not one per request; then one line when the store answers again). The metrics
 * service is looked up when first needed: the metrics plugin is optional and may load later.
 */
import { type Logger, LogThrottle, type MetricsService } from 'mcp-gateway';

export type StoreErrorOutcome = 'open' | 'closed';

type Counter = ReturnType<MetricsService['counter']>;

export class Reporting {
  readonly #logger: Logger;
  readonly #find: () => MetricsService | undefined;
  readonly #rules: readonly string[];
  #counters: { limited: Counter; storeErrors: Counter } | undefined;
  readonly #warnings = new LogThrottle();
  #failing = false;

  constructor(logger: Logger, find: () => MetricsService | undefined, rules: readonly string[]) {
    this.#logger = logger;
    this.#find = find;
    this.#rules = rules;
  }

  /** Creates the counters, every series at zero, once the service exists; cheap to call again. */
  ensure(): void {
    this.#metrics();
  }

  #metrics() {
    if (this.#counters) return this.#counters;
    const metrics = this.#find();
    if (!metrics) return undefined;
    this.#counters = {
      limited: metrics.counter(
        'mcp_gateway_rate_limited_total',
        'Requests and tool calls refused by a rate limit rule',
        ['rule'],
      ),
      storeErrors: metrics.counter(
        'mcp_gateway_rate_limit_store_errors_total',
        'Rate limit checks the store could not answer, by what happened to the request (open: let through, closed: refused)',
        ['outcome'],
      ),
    };
    for (const rule of this.#rules) this.#counters.limited.inc({ rule }, 0);
    for (const outcome of ['open', 'closed']) this.#counters.storeErrors.inc({ outcome }, 0);
    return this.#counters;
  }

  /** Called for every request checked against the store: notices a recovered store. */
  checked(storeAnswered: boolean): void {
    if (storeAnswered && this.#failing) {
      this.#failing = false;
      this.#logger.info({ failed_checks: this.#warnings.unlogged }, 'rate limit store answering again');
      this.#warnings.reset();
    }
  }

  limited(
    rule: string,
    retryAfterMs: number,
    caller: { subject: string | undefined; address: string | undefined },
    log: Logger,
  ): void {
    this.#metrics()?.limited.inc({ rule });
    log.info(
      {
        rate_limit: rule,
        retry_after_ms: retryAfterMs,
        subject: caller.subject,
        address: caller.subject ? undefined : caller.address,
      },
      `rate limited by rule ${rule}`,
    );
  }

  storeError(rule: string, outcome: StoreErrorOutcome, error: unknown): void {
    this.#metrics()?.storeErrors.inc({ outcome });
    this.#failing = true;
    const unlogged = this.#warnings.occurred();
    if (unlogged === undefined) return;
    this.#logger.warn(
      { err: error, rate_limit: rule, on_store_error: outcome, failed_checks: unlogged + 1 },
      `rate limit store unreachable: requests are ${outcome === 'open' ? 'let through unlimited' : 'refused'} (on_store_error: ${outcome})`,
    );
  }
}
