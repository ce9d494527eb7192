import type { SessionRecord, SessionStore, UpstreamSessionState } from '../../kernel/session-store.ts';

/** The default store: one process, no persistence. */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, { record: SessionRecord; expiresAt: number }>();

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.#records.get(id);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return entry.record;
  }

  async set(record: SessionRecord, ttlMs: number): Promise<void> {
    const stored = this.#records.get(record.id)?.record.upstreamSessions;
    const upstreamSessions = stored || record.upstreamSessions ? { ...stored, ...record.upstreamSessions } : undefined;
    this.#records.set(record.id, {
      record: { ...record, ...(upstreamSessions && { upstreamSessions }) },
      expiresAt: Date.now() + ttlMs,
    });
  }

  async rememberUpstream(id: string, server: string, state: UpstreamSessionState): Promise<void> {
    const entry = this.#records.get(id);
    if (entry)
      entry.record = { ...entry.record, upstreamSessions: { ...entry.record.upstreamSessions, [server]: state } };
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async expire(id: string, ttlMs: number): Promise<void> {
    const entry = this.#records.get(id);
    if (entry) entry.expiresAt = Date.now() + ttlMs;
  }

  async expired(now = Date.now()): Promise<string[]> {
    const ids: string[] = [];
    for (const [id, entry] of this.#records) if (entry.expiresAt <= now) ids.push(id);
    return ids;
  }
}
