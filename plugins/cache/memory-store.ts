/**
 * Results in this process: an LRU of at most `max_entries` (lru-cache), each with its rule's TTL.
 * An index by server lets `forget` drop one server's results at once; a generation per server
 * keeps a call that was in flight across the reconnection from saving its older answer.
 */
import { LRUCache } from 'lru-cache';
import type { Lookup, ResultStore } from './store.ts';

interface Entry {
  readonly server: string;
  readonly json: string;
}

export class MemoryStore implements ResultStore {
  readonly #entries: LRUCache<string, Entry>;
  readonly #byServer = new Map<string, Set<string>>();
  readonly #generations = new Map<string, number>();

  constructor(maxEntries: number) {
    // dispose: on eviction, expiry, replacement and delete alike, so the index never outlives an entry.
    this.#entries = new LRUCache<string, Entry>({
      max: maxEntries,
      dispose: (entry, key) => this.#byServer.get(entry.server)?.delete(key),
    });
  }

  /** How many results are held now (expired ones included until they are touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  lookup(server: string, hash: string): Promise<Lookup> {
    const generation = this.#generation(server);
    const value = this.#entries.get(hash)?.json;
    const save = async (json: string, ttlMs: number) => {
      if (this.#generation(server) !== generation) return;
      this.#entries.set(hash, { server, json }, { ttl: ttlMs });
      let keys = this.#byServer.get(server);
      if (!keys) this.#byServer.set(server, (keys = new Set()));
      keys.add(hash);
    };
    return Promise.resolve({ value, save });
  }

  forget(server: string): Promise<void> {
    this.#generations.set(server, this.#generation(server) + 1);
    for (const key of [...(this.#byServer.get(server) ?? [])]) this.#entries.delete(key);
    this.#byServer.delete(server);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }

  #generation(server: string): number {
    return this.#generations.get(server) ?? 0;
  }
}
