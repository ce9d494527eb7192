/**
 * Resumability for one downstream session's event streams (MCP Streamable HTTP): every SSE
 * event gets an id, and a client that reconnects with `Last-Event-ID` gets the events of that
 * stream it missed. Bounded, since a session may live for hours: the oldest events are dropped
 * past a count or a total size, and a client asking for one of those starts over.
 */
import { randomBytes } from 'node:crypto';
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '../../kernel/protocol.ts';

interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly message: JSONRPCMessage;
  readonly bytes: number;
}

export class BoundedEventStore implements EventStore {
  readonly #events: StoredEvent[] = [];
  readonly #maxEvents: number;
  readonly #maxBytes: number;
  #bytes = 0;
  #sequence = 0;
  /**
   * Ids are unique to this store, not only within it: a client that resumes on another replica
   * (or after a restart) sends an id this store never issued, which must not name one of its own.
   */
  readonly #prefix = randomBytes(4).toString('hex');

  constructor(maxEvents = 64, maxBytes = 1024 * 1024) {
    this.#maxEvents = maxEvents;
    this.#maxBytes = maxBytes;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${this.#prefix}-${++this.#sequence}`;
    const bytes = JSON.stringify(message).length;
    this.#events.push({ id, streamId, message, bytes });
    this.#bytes += bytes;
    while (this.#events.length > this.#maxEvents || (this.#bytes > this.#maxBytes && this.#events.length > 1)) {
      this.#bytes -= this.#events.shift()!.bytes;
    }
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.#events.find((event) => event.id === eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const index = this.#events.findIndex((event) => event.id === lastEventId);
    if (index === -1) throw new Error(`event ${lastEventId} is no longer stored`);
    const { streamId } = this.#events[index]!;
    for (const event of this.#events.slice(index + 1)) {
      if (event.streamId === streamId) await send(event.id, event.message);
    }
    return streamId;
  }
}
