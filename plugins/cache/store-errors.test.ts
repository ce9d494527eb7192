/** Store errors: every one counted, logged at most once a minute with the count not logged. */
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from 'mcp-gateway';
import { storeErrorReporter } from './store-errors.ts';

describe('storeErrorReporter', () => {
  it('counts each error and logs the first of each minute', () => {
    let now = 0;
    const warn = vi.fn();
    const count = vi.fn();
    const report = storeErrorReporter({ warn } as unknown as Logger, count, () => now);
    report('lookup', new Error('down'));
    now = 30_000;
    report('save', new Error('down'));
    report('lookup', new Error('down'));
    expect(count).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    now = 60_000;
    report('lookup', new Error('still down'));
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1]![0]).toMatchObject({ operation: 'lookup', errors_not_logged: 2 });
  });
});
