/** A call's `Cancellation` (core/lib/cancellation.ts): what it tells its listeners, and the AbortSignal it makes only when asked. */
import { describe, expect, it } from 'vitest';
import { Cancellation, onAbort } from '../../core/lib/cancellation.ts';

describe('Cancellation', () => {
  it('aborts once, telling each listener the reason in the order they came, and those that come later at once', () => {
    const cancellation = new Cancellation();
    const heard: string[] = [];
    cancellation.onAbort((reason) => heard.push(`first ${String(reason)}`));
    cancellation.onAbort((reason) => heard.push(`second ${String(reason)}`));
    expect(cancellation.aborted).toBe(false);
    cancellation.abort('client went away');
    cancellation.abort('too late');
    expect(heard).toEqual(['first client went away', 'second client went away']);
    expect(cancellation.reason).toBe('client went away');
    cancellation.onAbort((reason) => heard.push(`late ${String(reason)}`));
    expect(heard.at(-1)).toBe('late client went away');
    expect(() => cancellation.throwIfAborted()).toThrow('client went away');
  });

  it('forgets a listener that stopped listening', () => {
    const cancellation = new Cancellation();
    const heard: string[] = [];
    const stop = cancellation.onAbort(() => heard.push('stopped'));
    cancellation.onAbort(() => heard.push('kept'));
    stop();
    cancellation.abort();
    expect(heard).toEqual(['kept']);
  });

  it('aborts without a reason as an AbortSignal does: an AbortError', () => {
    const cancellation = new Cancellation();
    cancellation.abort();
    expect((cancellation.reason as DOMException).name).toBe('AbortError');
  });

  it('makes one AbortSignal on first use, which aborts with it, or is aborted already when made after', () => {
    const before = new Cancellation();
    const signal = before.signal;
    expect(before.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    before.abort('timeout');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('timeout');

    const after = new Cancellation();
    after.abort('shutdown');
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe('shutdown');
  });

  it('follows an AbortSignal', () => {
    const controller = new AbortController();
    const following = Cancellation.following(controller.signal);
    expect(following.aborted).toBe(false);
    controller.abort('cancelled');
    expect(following.reason).toBe('cancelled');
    expect(Cancellation.following(AbortSignal.abort('already')).reason).toBe('already');
  });
});

describe('onAbort', () => {
  it('listens to a Cancellation and to an AbortSignal alike, until told to stop', () => {
    const heard: unknown[] = [];
    const controller = new AbortController();
    const stop = onAbort(controller.signal, (reason) => heard.push(reason));
    const cancellation = new Cancellation();
    onAbort(cancellation, (reason) => heard.push(reason));
    const unheard = new AbortController();
    onAbort(unheard.signal, (reason) => heard.push(reason))();
    controller.abort('signal');
    cancellation.abort('cancellation');
    unheard.abort('never heard');
    stop();
    expect(heard).toEqual(['signal', 'cancellation']);
    onAbort(AbortSignal.abort('at once'), (reason) => heard.push(reason));
    expect(heard.at(-1)).toBe('at once');
  });
});
