/**
 * The search index kept up with the catalogue. The catalogue is a new object whenever it changes
 * (an upstream's `list_changed`, its restart, a reload), so following it is an identity check;
 * the index is then brought up to date in slices (`ToolIndex.updateInSlices`), one pass at a time,
 * each to the newest catalogue. A search waits for the index to hold the catalogue it started
 * with (or a newer one), so it never answers from a catalogue that is gone, and waits for at most
 * two passes however often the catalogue changes.
 */
import type { ToolItem } from 'mcp-gateway';
import { ToolIndex, type ToolHit } from './ranking.ts';

/** A search waiting for the index to hold a generation of the catalogue. */
interface Waiter {
  readonly generation: number;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

export class LiveIndex {
  readonly #index = new ToolIndex();
  /** What to index: the catalogue's tools, of which the index holds those `#indexable` keeps. */
  readonly #catalogue: () => readonly ToolItem[];
  readonly #indexable: (item: ToolItem) => boolean;
  /** The last catalogue seen, and its generation; the generation the index holds. */
  #seen: readonly ToolItem[] | undefined;
  #seenGeneration = 0;
  #heldGeneration = 0;
  #updating: Promise<void> | undefined;
  /** Searches waiting for a generation. */
  #waiting: Waiter[] = [];

  constructor(catalogue: () => readonly ToolItem[], indexable: (item: ToolItem) => boolean) {
    this.#catalogue = catalogue;
    this.#indexable = indexable;
  }

  /** Resolves once the index holds the catalogue as it is now, or a newer one. */
  current(): Promise<void> {
    const tools = this.#catalogue();
    if (tools !== this.#seen) {
      this.#seen = tools;
      this.#seenGeneration++;
    }
    const generation = this.#seenGeneration;
    if (this.#heldGeneration >= generation) return Promise.resolve();
    const held = new Promise<void>((done, failed) => this.#waiting.push({ generation, done, failed }));
    this.#updating ??= this.#update();
    return held;
  }

  /**
   * The best matches among the tools named in `among` (those the caller sees), once the index holds
   * the catalogue as it is now.
   */
  async search(query: string, limit: number, among: ReadonlyMap<string, unknown>): Promise<ToolHit[]> {
    await this.current();
    // What a caller sees is part of the catalogue: as many tools is all of them, and needs no filter.
    const allowed = among.size < this.#index.size ? (name: string) => among.has(name) : undefined;
    return this.#index.search(query, { limit, allowed });
  }

  async #update(): Promise<void> {
    try {
      while (this.#heldGeneration < this.#seenGeneration) {
        const generation = this.#seenGeneration;
        const tools = this.#seen!.filter(this.#indexable).map((item) => item.value);
        await this.#index.updateInSlices(tools);
        this.#heldGeneration = generation;
        this.#settle(
          (waiter) => waiter.generation <= generation,
          (waiter) => waiter.done(),
        );
      }
    } catch (error) {
      this.#settle(
        () => true,
        (waiter) => waiter.failed(error),
      );
    } finally {
      this.#updating = undefined;
    }
  }

  #settle(which: (waiter: Waiter) => boolean, how: (waiter: Waiter) => void): void {
    const settled = this.#waiting.filter(which);
    this.#waiting = this.#waiting.filter((waiter) => !which(waiter));
    for (const waiter of settled) how(waiter);
  }
}
