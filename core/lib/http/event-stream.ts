/** JSON-RPC messages from a `text/event-stream` response body. */
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import type { JSONRPCMessage } from '../../kernel/protocol.ts';
import type { HttpResponse } from './http-client.ts';

export interface SseEvents {
  onMessage(message: JSONRPCMessage): void;
  /** The server's event id, for resuming a stream with Last-Event-ID. */
  onEventId?(id: string): void;
  /** The server's `retry:` advice, in milliseconds, for when the stream ends early. */
  onRetry?(ms: number): void;
  /** Data that is not JSON: reported, skipped. */
  onInvalid?(data: string): void;
  /** Events with a name other than `message` (the legacy SSE transport's `endpoint`). */
  onNamedEvent?(name: string, data: string): void;
}

/** Feed the body to the handlers; resolves when the stream ends, rejects if it breaks (or is cancelled). */
export function readEventStream(response: HttpResponse, events: SseEvents): Promise<void> {
  const parser = createParser({
    onRetry: (ms) => events.onRetry?.(ms),
    onEvent(event) {
      if (event.id) events.onEventId?.(event.id);
      if (event.event && event.event !== 'message') return events.onNamedEvent?.(event.event, event.data);
      // Priming events (resumability) carry an id and no data.
      if (!event.data) return;
      let message: JSONRPCMessage;
      try {
        message = JSON.parse(event.data) as JSONRPCMessage;
      } catch {
        return events.onInvalid?.(event.data);
      }
      events.onMessage(message);
    },
  });
  // The decoder keeps a character cut between chunks whole.
  const decoder = new StringDecoder('utf8');
  return new Promise((resolve, reject) => {
    response.body.read({
      data: (chunk) => parser.feed(decoder.write(chunk)),
      end: () => resolve(),
      error: reject,
    });
  });
}
