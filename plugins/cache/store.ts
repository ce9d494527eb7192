/**
 * Where cached results live. A store keeps JSON text under a key hash, per upstream server, and
 * can forget everything of one server at once (after it reconnected). `lookup` returns the cached
 * value, if any, and how to save a fresh one for the same call: a save after `forget` (a call
 * that was in flight across a reconnection) is never visible to later lookups.
 */
export interface Lookup {
  /** The cached result as JSON text, or undefined on a miss. */
  readonly value: string | undefined;
  /** Caches `json` for `ttlMs`, under the key (and the server's generation) of this lookup. */
  save(json: string, ttlMs: number): Promise<void>;
}

export interface ResultStore {
  /** Rejects when the store cannot answer (the caller treats that as a miss). */
  lookup(server: string, hash: string): Promise<Lookup>;
  /** Forgets every result of `server`. */
  forget(server: string): Promise<void>;
  close(): Promise<void>;
}
