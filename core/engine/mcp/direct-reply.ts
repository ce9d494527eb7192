/**
 * The answer to one request served on the fast path (see direct.ts). Most requests get their
 * result and nothing else, and then the answer is one JSON body: cheaper to write, and cheaper for
 * the client to read than an event stream. When something must reach the client before the
 * result (progress, a log message, a sampling or elicitation request), the answer becomes an SSE
 * stream at that moment, as the Streamable HTTP spec allows, and the result is its last event.
 * Events are kept in the session's event store, so they carry ids as the SDK's own streams do (a
 * stateless request's stream is not resumable: its events have none).
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '../../kernel/protocol.ts';
import { messageJson } from './serialized.ts';

const encoder = new TextEncoder();
let streams = 0;

export class DirectReply {
  /** Settles as soon as the answer's headers are known: the JSON result, or an event stream. */
  readonly response: Promise<Response>;
  #respond!: (response: Response) => void;
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  #streamId: string | undefined;
  #ended = false;
  /** Events are written in order even though storing one is asynchronous. */
  #queue: Promise<void> = Promise.resolve();
  readonly #headers: Record<string, string>;
  readonly #eventStore: EventStore | undefined;

  /** `sessionId` and `eventStore`: a 2025 session's; a stateless (2026-07-28) request has neither. */
  constructor(sessionId: string | undefined, eventStore: EventStore | undefined) {
    this.response = new Promise((resolve) => (this.#respond = resolve));
    this.#headers = sessionId === undefined ? {} : { 'mcp-session-id': sessionId };
    this.#eventStore = eventStore;
  }

  /** True once the result was sent (or the client went away): later messages have nowhere to go. */
  get ended(): boolean {
    return this.#ended;
  }

  /** A message for the client before the result: turns the answer into an event stream. */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.#ended) return Promise.resolve();
    if (this.#streamId === undefined) this.#open();
    return this.#enqueue(message);
  }

  /** A comment on an open event stream, so that proxies do not close a stream that is quiet for long. */
  keepAlive(): void {
    if (this.#streamId === undefined || this.#ended) return;
    this.#queue = this.#queue.then(() => this.#write(': keep-alive\n\n'));
  }

  /** The result (or error) of the request: the last thing this answer carries (`status`, unless it streams). */
  end(message: JSONRPCMessage, status = 200): void {
    if (this.#ended) return;
    if (this.#streamId === undefined) {
      this.#ended = true;
      this.#respond(
        new Response(messageJson(message), {
          status,
          headers: { 'content-type': 'application/json', ...this.#headers },
        }),
      );
      return;
    }
    void this.#enqueue(message).then(() => {
      this.#ended = true;
      this.#close();
    });
  }

  #open(): void {
    this.#streamId = `direct-${++streams}`;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => void (this.#stream = controller),
      // The client went away: the request's own signal tells the operation.
      cancel: () => void (this.#stream = undefined),
    });
    this.#respond(
      new Response(body, {
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          ...this.#headers,
        },
      }),
    );
  }

  #enqueue(message: JSONRPCMessage): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      const id = await this.#eventStore?.storeEvent(this.#streamId!, message);
      this.#write(`event: message\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`);
    });
    return this.#queue;
  }

  #write(text: string): void {
    try {
      this.#stream?.enqueue(encoder.encode(text));
    } catch {
      this.#stream = undefined; // closed under us by a disconnect
    }
  }

  #close(): void {
    try {
      this.#stream?.close();
    } catch {
      // already closed by a disconnect
    }
    this.#stream = undefined;
  }
}
