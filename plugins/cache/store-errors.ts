/**
 * A store that cannot answer never fails a call: the call is a miss. Each failure is counted
 * (`mcp_gateway_cache_store_errors_total`) and logged at most once a minute, with how many
 * were not logged since, so that Redis going away is one line a minute, not one per call.
 */
import type { Logger } from 'mcp-gateway';

const LOG_INTERVAL_MS = 60_000;

export type StoreOperation = 'lookup' | 'save' | 'forget';

export function storeErrorReporter(logger: Logger, count: () => void, now: () => number = Date.now) {
  let lastLogged = -Infinity;
  let unlogged = 0;
  return (operation: StoreOperation, error: unknown): void => {
    count();
    if (now() - lastLogged < LOG_INTERVAL_MS) return void unlogged++;
    logger.warn(
      { err: error, operation, ...(unlogged > 0 && { errors_not_logged: unlogged }) },
      `cache store error (${operation}): the call goes on without the cache`,
    );
    lastLogged = now();
    unlogged = 0;
  };
}
