/**
 * How an upstream of the 2026-07-28 era tells the gateway that its lists changed: that era sends
 * no message outside a request, so the control client keeps a `subscriptions/listen` stream open
 * for the lists whose `listChanged` the server declared. Its notifications reach the client's
 * handlers like any other (`notifications/tools/list_changed`, ...). A stream that drops is opened
 * again, with backoff when it keeps dropping, and the lists are read again then, since a change
 * made while it was closed was told to no one. A server that refuses to listen is not asked again.
 * The same stream carries the updates of the resources the gateway's clients subscribed to.
 */
import type { Logger } from 'pino';
import { RpcError } from '../../kernel/errors.ts';
import type { ServerCapabilities } from '../../kernel/protocol.ts';
import type { UpstreamClient } from './client.ts';

/** A stream that lasted less than this counts as one that keeps dropping. */
const QUICK_END_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The listen filter for the lists `capabilities` declare to change, and the resources subscribed; undefined when there is nothing to hear of. */
function listenFilter(
  capabilities: ServerCapabilities | undefined,
  resources: readonly string[],
): Record<string, unknown> | undefined {
  const filter: Record<string, unknown> = {};
  if (capabilities?.tools?.listChanged) filter.toolsListChanged = true;
  if (capabilities?.prompts?.listChanged) filter.promptsListChanged = true;
  if (capabilities?.resources?.listChanged) filter.resourcesListChanged = true;
  if (resources.length > 0) filter.resourceSubscriptions = resources;
  return Object.keys(filter).length === 0 ? undefined : filter;
}

/**
 * The control client's listen stream. Its filter follows the resources the gateway's clients
 * subscribed to (`resourceSubscriptions`: the era has no `resources/subscribe`), so a change of
 * them opens it again with the new filter.
 */
export class ListenStream {
  readonly #client: UpstreamClient;
  readonly #stop: AbortSignal;
  readonly #log: Logger;
  readonly #onReopened: () => void;
  readonly #resources: () => readonly string[];
  /** Aborts the stream open now, for one with a new filter. */
  #current: AbortController | undefined;
  #running = false;

  constructor(
    client: UpstreamClient,
    stop: AbortSignal,
    log: Logger,
    onReopened: () => void,
    resources: () => readonly string[],
  ) {
    this.#client = client;
    this.#stop = stop;
    this.#log = log;
    this.#onReopened = onReopened;
    this.#resources = resources;
    this.refilter();
  }

  /** The subscribed resources changed: listen with the new filter. */
  refilter(): void {
    if (this.#running) return this.#current?.abort();
    void this.#keepListening();
  }

  async #keepListening(): Promise<void> {
    this.#running = true;
    let quickEnds = 0;
    try {
      for (let opened = 0; !this.#stop.aborted; opened++) {
        const filter = listenFilter(this.#client.initializeResult?.capabilities, this.#resources());
        if (!filter) return;
        const current = (this.#current = new AbortController());
        if (opened > 0 && !current.signal.aborted) this.#onReopened();
        const since = Date.now();
        const signal = AbortSignal.any([this.#stop, current.signal]);
        try {
          await this.#client.request(
            'subscriptions/listen',
            { notifications: filter },
            { signal, timeoutMs: Number.POSITIVE_INFINITY },
          );
          this.#log.debug('the upstream ended its listen stream');
        } catch (error) {
          if (this.#stop.aborted) return;
          if (current.signal.aborted) {
            quickEnds = 0;
            continue; // a new filter: open again at once
          }
          if (error instanceof RpcError) {
            // A refusal, not a cut: asking again would be refused again.
            this.#log.warn(
              { err: error },
              'the upstream refused subscriptions/listen: its list changes are seen at re-discovery only',
            );
            return;
          }
          this.#log.debug({ err: error }, 'the upstream listen stream was cut');
        }
        quickEnds = Date.now() - since < QUICK_END_MS ? quickEnds + 1 : 0;
        if (quickEnds > 0) await sleep(Math.min(QUICK_END_MS * 2 ** (quickEnds - 1), MAX_RETRY_MS), this.#stop);
      }
    } finally {
      this.#running = false;
    }
  }
}

const sleep = (ms: number, stop: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    stop.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
