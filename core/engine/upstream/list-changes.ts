/**
 * How an upstream of the 2026-07-28 era tells the gateway that its lists changed: that era sends
 * no message outside a request, so the control client keeps a `subscriptions/listen` stream open
 * for the lists whose `listChanged` the server declared. Its notifications reach the client's
 * handlers like any other (`notifications/tools/list_changed`, ...). A stream that drops is opened
 * again, with backoff when it keeps dropping, and the lists are read again then, since a change
 * made while it was closed was told to no one. A server that refuses to listen is not asked again.
 */
import type { Logger } from 'pino';
import { RpcError } from '../../kernel/errors.ts';
import type { ServerCapabilities } from '../../kernel/protocol.ts';
import type { UpstreamClient } from './client.ts';

/** A stream that lasted less than this counts as one that keeps dropping. */
const QUICK_END_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** The listen filter for what `capabilities` declare; undefined when they declare no list that changes. */
function listChangesFilter(capabilities: ServerCapabilities | undefined): Record<string, true> | undefined {
  const filter: Record<string, true> = {};
  if (capabilities?.tools?.listChanged) filter.toolsListChanged = true;
  if (capabilities?.prompts?.listChanged) filter.promptsListChanged = true;
  if (capabilities?.resources?.listChanged) filter.resourcesListChanged = true;
  return Object.keys(filter).length === 0 ? undefined : filter;
}

/** Keep the stream open on `client` until `stop` aborts; `onReopened` after each reopening. */
export function listenForListChanges(
  client: UpstreamClient,
  stop: AbortSignal,
  log: Logger,
  onReopened: () => void,
): void {
  const filter = listChangesFilter(client.initializeResult?.capabilities);
  if (filter) void keepListening(client, { notifications: filter }, stop, log, onReopened);
}

async function keepListening(
  client: UpstreamClient,
  params: Record<string, unknown>,
  stop: AbortSignal,
  log: Logger,
  onReopened: () => void,
): Promise<void> {
  let quickEnds = 0;
  for (let opened = 0; !stop.aborted; opened++) {
    if (opened > 0) onReopened();
    const since = Date.now();
    try {
      await client.request('subscriptions/listen', params, { signal: stop, timeoutMs: Number.POSITIVE_INFINITY });
      log.debug('the upstream ended its listen stream');
    } catch (error) {
      if (stop.aborted) return;
      if (error instanceof RpcError) {
        // A refusal, not a cut: asking again would be refused again.
        log.warn(
          { err: error },
          'the upstream refused subscriptions/listen: its list changes are seen at re-discovery only',
        );
        return;
      }
      log.debug({ err: error }, 'the upstream listen stream was cut');
    }
    quickEnds = Date.now() - since < QUICK_END_MS ? quickEnds + 1 : 0;
    if (quickEnds > 0) await sleep(Math.min(QUICK_END_MS * 2 ** (quickEnds - 1), MAX_RETRY_MS), stop);
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
