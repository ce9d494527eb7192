/**
 * Why a call's work should stop (the client cancelled, went away, the upstream timed out, the
 * gateway is stopping), as the kernel's per-call plumbing passes it along: the fast path, the
 * operation contexts, the upstream client and the transports. An `AbortSignal` does the same,
 * but Node 20 is slow to make one (it sets the prototype of each) and keeps one that has a
 * listener alive through minor GCs, with what it references: the two a tool call made were a
 * large share of the gateway's time on the call's path (core/README.md, "Measured costs"). A call's real `AbortSignal` is made
 * only when something asks for one (`signal`): a plugin reading `ctx.signal`, an API that needs it.
 */

import type { RequestCancellation } from '../kernel/transport.ts';

type AbortListener = (reason: unknown) => void;

export class Cancellation implements RequestCancellation {
  #aborted = false;
  #reason: unknown;
  #listeners: AbortListener[] | undefined;
  #controller: AbortController | undefined;

  /** A cancellation that follows `signal` (aborted when it is, with its reason). */
  static following(signal: AbortSignal): Cancellation {
    const cancellation = new Cancellation();
    onAbort(signal, (reason) => cancellation.abort(reason));
    return cancellation;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was aborted; undefined until then. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Abort once (later calls do nothing): every listener hears `reason`, in the order they came. */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    this.#controller?.abort(reason);
    if (listeners) for (const listener of listeners) listener(reason);
  }

  /** Call `listener` when aborted (at once if it already is); returns what stops listening. */
  onAbort(listener: AbortListener): () => void {
    if (this.#aborted) {
      listener(this.#reason);
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const index = this.#listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.#listeners!.splice(index, 1);
    };
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /** An `AbortSignal` that aborts with it, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
}

/** What stops a piece of work: a request's cancellation, or any `AbortSignal`. */
export type StopSignal = RequestCancellation | AbortSignal;

/** Call `listener` once when `stop` aborts (at once if it already has); returns what stops listening. */
export function onAbort(stop: StopSignal, listener: AbortListener): () => void {
  if (!(stop instanceof AbortSignal)) return stop.onAbort(listener);
  if (stop.aborted) {
    listener(stop.reason);
    return noop;
  }
  const aborted = () => listener(stop.reason);
  stop.addEventListener('abort', aborted, { once: true });
  return () => stop.removeEventListener('abort', aborted);
}

function noop(): void {}
