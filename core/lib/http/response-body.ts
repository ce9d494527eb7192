/**
 * The body of an upstream's HTTP response, as it arrives. Transports read it once, with
 * `readBody` or `readEventStream`, or discard it; either way its connection goes back to the pool
 * when the last byte is in. Chunks are handed to the reader as the connection delivers them: no
 * stream object per response, on a path every tool call takes.
 */
export interface BodyReader {
  data(chunk: Buffer): void;
  end(): void;
  /** The transfer broke (connection lost, the exchange's signal aborted, `cancel()`). */
  error(error: Error): void;
}

export interface ResponseBody {
  /** Receive the body: what already came first, then the rest as it comes, then its end. Once per body. */
  read(reader: BodyReader): void;
  /** Drop the body (read to its end, so that the connection is reused). */
  discard(): void;
  /** Stop the transfer (a stream no longer wanted): the connection closes, a reader gets an error. */
  cancel(): void;
}

/** What the HTTP client needs of a transfer to hold its body back or stop it. */
export interface Transfer {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Past this many unread bytes the transfer waits for a reader. */
const UNREAD_LIMIT = 64 * 1024;

const ignore: BodyReader = { data: () => {}, end: () => {}, error: () => {} };

/** A `ResponseBody` fed by the HTTP client (`push`, `finish`, `fail`). */
export class IncomingBody implements ResponseBody {
  readonly #transfer: Transfer;
  #reader: BodyReader | undefined;
  #unread: Buffer[] = [];
  #unreadBytes = 0;
  /** How it ended before anyone read it: `null` for a clean end. */
  #ended: Error | null | undefined;

  constructor(transfer: Transfer) {
    this.#transfer = transfer;
  }

  read(reader: BodyReader): void {
    if (this.#reader) throw new Error('the response body is already being read');
    this.#reader = reader;
    for (const chunk of this.#unread) reader.data(chunk);
    this.#unread = [];
    if (this.#ended === null) reader.end();
    else if (this.#ended) reader.error(this.#ended);
    else if (this.#unreadBytes > UNREAD_LIMIT) this.#transfer.resume();
  }

  discard(): void {
    this.read(ignore);
  }

  cancel(): void {
    this.#transfer.abort(new Error('the response body was cancelled'));
  }

  push(chunk: Buffer): void {
    if (this.#reader) return this.#reader.data(chunk);
    this.#unread.push(chunk);
    this.#unreadBytes += chunk.length;
    if (this.#unreadBytes > UNREAD_LIMIT) this.#transfer.pause();
  }

  finish(): void {
    if (this.#reader) this.#reader.end();
    else this.#ended = null;
  }

  fail(error: Error): void {
    if (this.#reader) this.#reader.error(error);
    else this.#ended = error;
  }
}
