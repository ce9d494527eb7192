/**
 * A bounded in-memory queue between the request path and a sink. `push` never waits and never
 * throws: a slow or broken sink costs records (dropped and counted), never a caller's time. One
 * drain loop writes batches, one at a time, outside the caller's turn of the event loop.
 */

export type DropReason = 'queue_full' | 'sink_error' | 'shutdown';

export interface QueueOptions<T> {
  /** Items waiting (the batch being written is not counted); beyond it, new items are dropped. */
  readonly max: number;
  readonly batchSize: number;
  /** Milliseconds an item may wait for its batch to fill; 0 writes what there is at once. */
  readonly flushInterval: number;
  /** Rejects when the batch is lost. `signal` aborts when the flush at shutdown gives up. */
  readonly write: (batch: readonly T[], signal: AbortSignal) => Promise<void>;
  readonly written: (count: number) => void;
  readonly dropped: (reason: DropReason, count: number, error?: unknown) => void;
}

export class BatchQueue<T> {
  readonly #options: QueueOptions<T>;
  #items: T[] = [];
  /** The size of the batch being written. */
  #writing = 0;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The flush interval has passed: write what there is, full batch or not. */
  #due = false;
  /** Shutting down: write everything, accept nothing more. */
  #closing = false;
  readonly #abort = new AbortController();

  constructor(options: QueueOptions<T>) {
    this.#options = options;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#closing || this.#items.length >= this.#options.max) {
      this.#options.dropped(this.#closing ? 'shutdown' : 'queue_full', 1);
      return;
    }
    this.#items.push(item);
    this.#schedule();
  }

  /** Writes what is queued; gives up (dropping and counting the rest) when `signal` aborts. */
  async flush(signal: AbortSignal): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    const giveUp = () => this.#abort.abort(signal.reason);
    if (signal.aborted) giveUp();
    signal.addEventListener('abort', giveUp, { once: true });
    const aborted = new Promise<void>((resolve) =>
      this.#abort.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      while ((this.#items.length > 0 || this.#running) && !this.#abort.signal.aborted) {
        this.#schedule();
        await Promise.race([this.#running, aborted]);
      }
    } finally {
      signal.removeEventListener('abort', giveUp);
    }
    // Given up: what waits and the batch being written are lost now (a hook that ran out of time is not waited for).
    const lost = this.#items.splice(0).length + this.#writing;
    this.#writing = 0;
    if (lost > 0) this.#options.dropped('shutdown', lost);
  }

  #ready(): boolean {
    return (
      this.#closing || this.#due || this.#options.flushInterval === 0 || this.#items.length >= this.#options.batchSize
    );
  }

  #schedule(): void {
    if (this.#running || this.#items.length === 0) return; // a running loop picks new items up
    if (this.#ready()) {
      this.#running = this.#run();
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#schedule();
    }, this.#options.flushInterval).unref();
  }

  async #run(): Promise<void> {
    // Never in the turn of the push that started it: the sink's work is not the caller's.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { write, written, dropped, batchSize } = this.#options;
    while (this.#items.length > 0 && this.#ready() && !this.#abort.signal.aborted) {
      const batch = this.#items.splice(0, batchSize);
      if (this.#items.length === 0) this.#due = false;
      this.#writing = batch.length;
      try {
        await write(batch, this.#abort.signal);
        written(batch.length);
      } catch (error) {
        if (!this.#abort.signal.aborted) dropped('sink_error', batch.length, error);
        else if (this.#writing > 0) dropped('shutdown', this.#writing); // unless the flush giving up counted it
      } finally {
        this.#writing = 0;
      }
    }
    this.#running = undefined;
    if (this.#items.length === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#due = false;
    } else if (!this.#closing) {
      this.#schedule();
    }
  }
}
