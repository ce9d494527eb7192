/**
 * The search index kept up with the catalogue. The catalogue is a new object whenever it changes
 * (an upstream's `list_changed`, its restart, a reload), so following it is an identity check;
 * the index is then brought up to date in slices (`ToolIndex.updateInSlices`), and a search waits
 * for that so that it never answers from a catalogue that is gone.
 */
import type { ToolItem } from 'mcp-gateway';
import { ToolIndex, type SearchOptions, type ToolHit } from './ranking.ts';

export class LiveIndex {
  readonly #index = new ToolIndex();
  /** What to index: the catalogue's tools, of which the index holds those `#indexable` keeps. */
  readonly #catalogue: () => readonly ToolItem[];
  readonly #indexable: (item: ToolItem) => boolean;
  /** The catalogue's tools the index holds, and the ones it is being brought to. */
  #held: readonly ToolItem[] | undefined;
  #wanted: readonly ToolItem[] | undefined;
  #updating: Promise<void> | undefined;

  constructor(catalogue: () => readonly ToolItem[], indexable: (item: ToolItem) => boolean) {
    this.#catalogue = catalogue;
    this.#indexable = indexable;
  }

  /** Resolves once the index holds the catalogue as it is now. */
  current(): Promise<void> {
    const tools = this.#catalogue();
    if (tools === this.#held && this.#updating === undefined) return Promise.resolve();
    this.#wanted = tools;
    this.#updating ??= this.#update().finally(() => {
      this.#updating = undefined;
    });
    return this.#updating;
  }

  /** How many tools the index holds (once `current()` resolved: the catalogue's, but for the unindexable). */
  get size(): number {
    return this.#index.size;
  }

  async search(query: string, options: SearchOptions): Promise<ToolHit[]> {
    await this.current();
    return this.#index.search(query, options);
  }

  async #update(): Promise<void> {
    while (this.#wanted !== this.#held) {
      const wanted = this.#wanted!;
      const tools = wanted.filter(this.#indexable).map((item) => item.value);
      if (await this.#index.updateInSlices(tools, () => this.#wanted !== wanted)) this.#held = wanted;
    }
  }
}
