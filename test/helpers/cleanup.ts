/**
 * Undo steps for what a test started (processes, servers, clients), run after each test in reverse
 * order, so that the last thing started stops first. Every step runs even if an earlier one fails;
 * the failures are reported together afterwards.
 */
import { afterEach } from 'vitest';

export function cleanupAfterEach(): (step: () => unknown) => void {
  const steps: (() => unknown)[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw new AggregateError(errors, `${errors.length} cleanup step(s) failed`);
  });
  return (step) => void steps.push(step);
}
