/**
 * The decision for one request, with the store-error policy applied: `undefined` to let it
 * through, or the refusal to send. Refusals and store failures are reported here.
 */
import type { Logger } from 'mcp-gateway';
import { check } from './check.ts';
import { STORE_ERROR_RETRY_MS, type Refusal } from './refusal.ts';
import type { Reporting, StoreErrorOutcome } from './reporting.ts';
import type { KeyValues, Rule } from './rules.ts';

export interface Caller {
  readonly subject: string | undefined;
  readonly address: string | undefined;
}

export interface GuardOptions {
  readonly onStoreError: StoreErrorOutcome;
  readonly reporting: Reporting;
}

export type Guard = (
  rules: readonly Rule[],
  values: KeyValues,
  caller: Caller,
  log: Logger,
) => Promise<Refusal | undefined>;

export function createGuard({ onStoreError, reporting }: GuardOptions): Guard {
  return async (rules, values, caller, log) => {
    reporting.ensure();
    if (rules.length === 0) return undefined;
    const decision = await check(rules, values);
    reporting.checked(decision.outcome !== 'store_error');
    switch (decision.outcome) {
      case 'allowed':
        return undefined;
      case 'limited':
        reporting.limited(decision.rule.name, decision.retryAfterMs, caller, log);
        return { rule: decision.rule, retryAfterMs: decision.retryAfterMs, status: 429 };
      case 'store_error':
        reporting.storeError(decision.rule.name, onStoreError, decision.error);
        return onStoreError === 'open'
          ? undefined
          : { rule: decision.rule, retryAfterMs: STORE_ERROR_RETRY_MS, status: 503 };
    }
  };
}
