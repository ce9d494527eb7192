/**
 * A store that cannot answer never fails a call: the call is a miss. Each failure is counted
 * (`mcp_gateway_cache_store_errors_total`) and logged at most once a minute, with how many
 * were not logged since, so that Redis going away is one line a minute, not one per call.
 */
import { type Logger, LogThrottle } from 'mcp-gateway';

export type StoreOperation = 'lookup' | 'save' | 'forget';

export function storeErrorReporter(logger: Logger, count: () => void, now: () => number = Date.now) {
  const throttle = new LogThrottle(60_000, now);
  return (operation: StoreOperation, error: unknown): void => {
    count();
    const unlogged = throttle.occurred();
    if (unlogged === undefined) return;
    logger.warn(
      { err: error, operation, ...(unlogged > 0 && { errors_not_logged: unlogged }) },
      `cache store error (${operation}): the call goes on without the cache`,
    );
  };
}
