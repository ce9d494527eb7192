/**
 * One upstream call of the 2025 era made for a 2026-07-28 caller, which cannot be sent requests:
 * when the upstream asks the client something during the call (sampling, elicitation, roots), the
 * call is held open and its questions are handed out as the current round's `input_required`
 * result; the caller's retry brings the answers, which go back to the upstream as the answers to
 * its requests, and the call goes on until it ends or asks again.
 */
import { Cancellation, onAbort, type StopSignal } from '../../lib/cancellation.ts';
import { RpcCodes } from '../../kernel/errors.ts';
import type { JSONRPCNotification } from '../../kernel/protocol.ts';
import type { DownstreamPeer, ServerToClientRequest } from '../upstream/peer.ts';

type Result = Record<string, unknown>;

/** How a round ends: the call's result or error, or the questions the client must answer first. */
export type RoundOutcome =
  | { readonly kind: 'result'; readonly result: Result }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'input'; readonly requests: Readonly<Record<string, ServerToClientRequest>> };

/** The capability a client declares for each request a server may make of it. */
const neededCapability: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

interface Question {
  readonly request: ServerToClientRequest;
  readonly answer: (result: Result) => void;
}

/** Where a round's progress goes: the stream of the request being served, under the caller's own token. */
export interface Listener {
  readonly peer: DownstreamPeer;
  readonly progressToken: unknown;
}

export class HeldCall {
  /** Stops the upstream call: the client went away mid-round, or never came back. */
  readonly cancellation = new Cancellation();
  /** The progress token the upstream was given (its own: calls of many clients share a session). */
  readonly upstreamToken: string;
  /** Which round the client's next retry must continue (a replayed state names an earlier one). */
  round = 0;
  /** The caller and operation its states are bound to. */
  readonly binding: string;
  readonly #capabilities: Readonly<Record<string, unknown>>;
  readonly #questions = new Map<string, Question>();
  #asked = 0;
  #outcome: RoundOutcome | undefined;
  #wake: ((outcome: RoundOutcome) => void) | undefined;
  #flushing = false;
  #listener: Listener;

  constructor(id: string, binding: string, capabilities: Readonly<Record<string, unknown>>, listener: Listener) {
    this.upstreamToken = `mcp-gateway-held-${id}`;
    this.binding = binding;
    this.#capabilities = capabilities;
    this.#listener = listener;
  }

  /** What the upstream call is given as its peer: its requests become questions, its progress goes to the current round. */
  peer(client: DownstreamPeer['client']): DownstreamPeer {
    return {
      client,
      notify: (notification) => this.#notify(notification),
      request: (request, signal) => this.#ask(request, signal),
    };
  }

  /** The upstream call was sent: its end ends the round it falls in. */
  follow(call: Promise<Result>): void {
    call.then(
      (result) => this.#settle({ kind: 'result', result }),
      (error: unknown) => this.#settle({ kind: 'error', error }),
    );
  }

  /**
   * Wait for this round's end, as served to `listener`; the round's request going away (`signal`)
   * cancels the call. Questions not yet answered are asked again.
   */
  async next(listener: Listener, signal: StopSignal): Promise<RoundOutcome> {
    this.#listener = listener;
    const unfollow = onAbort(signal, (reason) => this.cancellation.abort(reason));
    try {
      return await new Promise<RoundOutcome>((resolve) => {
        if (this.#outcome) return resolve(this.#outcome);
        this.#wake = resolve;
        if (this.#questions.size > 0) this.#flush();
      });
    } finally {
      this.#wake = undefined;
      unfollow();
    }
  }

  /** The client's answers from its retry, by the keys it was asked under; unknown keys are ignored. */
  answer(responses: Readonly<Record<string, unknown>>): void {
    for (const [key, response] of Object.entries(responses)) {
      const question = this.#questions.get(key);
      if (!question || typeof response !== 'object' || response === null || Array.isArray(response)) continue;
      this.#questions.delete(key);
      question.answer(response as Result);
    }
  }

  #ask(request: ServerToClientRequest, signal: AbortSignal): Promise<Result> {
    const capability = neededCapability[request.method];
    if (!capability || this.#capabilities[capability] === undefined)
      return Promise.reject({
        code: RpcCodes.METHOD_NOT_FOUND,
        message: `the client did not declare the capability ${request.method} needs`,
      });
    return new Promise<Result>((resolve, reject) => {
      const key = `input-${++this.#asked}`;
      this.#questions.set(key, { request: { method: request.method, params: request.params }, answer: resolve });
      signal.addEventListener(
        'abort',
        () => {
          this.#questions.delete(key);
          reject({ code: RpcCodes.REQUEST_TIMEOUT, message: 'the server cancelled its request' });
        },
        { once: true },
      );
      this.#flush();
    });
  }

  /** End the round with the open questions, once the upstream has asked all it asks at once. */
  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      if (!this.#wake || this.#outcome || this.#questions.size === 0) return;
      const requests = Object.fromEntries([...this.#questions].map(([key, question]) => [key, question.request]));
      this.#wake({ kind: 'input', requests });
    });
  }

  #settle(outcome: RoundOutcome): void {
    this.#outcome = outcome;
    this.#wake?.(outcome);
  }

  #notify(notification: JSONRPCNotification): Promise<void> {
    const { peer, progressToken } = this.#listener;
    if (notification.method !== 'notifications/progress') return peer.notify(notification);
    if (progressToken === undefined || notification.params?.progressToken !== this.upstreamToken)
      return Promise.resolve();
    return peer.notify({ ...notification, params: { ...notification.params, progressToken } });
  }
}
