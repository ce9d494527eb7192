/**
 * The live downstream sessions of this process and their records in the session store: opened at
 * `initialize`, touched on every request, closed on DELETE, after `sessions.idle_ttl` without use,
 * or at shutdown. Past `sessions.max` open sessions, a new `initialize` is refused.
 */
import type { Logger } from 'pino';
import type { SessionRecord, SessionStore, UpstreamSessionState } from '../session/store.ts';
import type { DownstreamSession, ListKind } from './session.ts';

export interface SessionRegistryOptions {
  readonly store: SessionStore;
  readonly idleTtlMs: number;
  readonly max: number;
  readonly logger: Logger;
  /** Aborted when the gateway gives up waiting for operations at shutdown: every session's are cancelled. */
  readonly cancel?: AbortSignal;
}

export class SessionRegistry {
  readonly #live = new Map<string, DownstreamSession>();
  readonly #options: SessionRegistryOptions;
  readonly #sweeper: NodeJS.Timeout;
  /** Set at shutdown: the records stay, so that replicas sharing the store go on serving the sessions. */
  #stopping = false;

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
    const every = Math.max(1000, Math.min(60_000, Math.floor(options.idleTtlMs / 2)));
    this.#sweeper = setInterval(() => void this.sweep(), every);
    this.#sweeper.unref();
    options.cancel?.addEventListener('abort', () => {
      for (const session of this.#live.values()) session.cancelServing(options.cancel!.reason);
    }, { once: true });
  }

  get size(): number {
    return this.#live.size;
  }

  get full(): boolean {
    return this.#live.size >= this.#options.max;
  }

  get(id: string): DownstreamSession | undefined {
    return this.#live.get(id);
  }

  async record(id: string): Promise<SessionRecord | undefined> {
    return this.#options.store.get(id);
  }

  /**
   * Called by a session once `initialize` gave it an id. A store that cannot take the record (a
   * shared one that is down) leaves the session to this replica alone, which still serves it.
   */
  async add(session: DownstreamSession, record: SessionRecord): Promise<void> {
    this.#live.set(record.id, session);
    await this.#options.store.set(record, this.#options.idleTtlMs).catch((error: unknown) => {
      this.#options.logger.warn({ err: error, session: record.id }, 'session store unavailable; the session is served by this replica only');
    });
    this.#options.logger.debug({ session: record.id, client: record.clientInfo }, 'session opened');
  }

  /** Called by a session as it closes, whatever closed it. */
  remove(session: DownstreamSession): void {
    const id = session.id;
    if (id === undefined || this.#live.get(id) !== session) return;
    this.#live.delete(id);
    if (!this.#stopping) void this.#options.store.delete(id).catch(() => {});
    this.#options.logger.debug({ session: id }, 'session closed');
  }

  /** The session was used: its record lives on (the store failing does not fail the request). */
  touch(id: string): Promise<void> {
    return this.#options.store.expire(id, this.#options.idleTtlMs).catch(() => {});
  }

  async sweep(now = Date.now()): Promise<void> {
    for (const id of await this.#options.store.expired(now).catch(() => [])) {
      const session = this.#live.get(id);
      if (session) await session.close();
      else await this.#options.store.delete(id);
    }
  }

  broadcast(kind: ListKind): void {
    for (const session of this.#live.values()) session.notifyListChanged(kind);
  }

  /** Close every session's link to a server a reload removes or replaces (its upstream session ends). */
  unlink(server: string): Promise<void> {
    return Promise.all([...this.#live.values()].map((session) => session.unlink(server))).then(() => {});
  }

  /** At shutdown; `leaving`: other replicas go on serving these sessions (see `DownstreamSession.close`). */
  async closeAll(leaving = false): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweeper);
    await Promise.all([...this.#live.values()].map((session) => session.close(leaving)));
  }

  /** Add a per-client upstream session to a session's record (the store makes it one atomic step). */
  rememberUpstream(id: string, server: string, state: UpstreamSessionState): Promise<void> {
    return this.#options.store
      .rememberUpstream(id, server, state)
      .catch((error: unknown) => this.#options.logger.warn({ err: error, session: id, server }, 'upstream session not recorded; another replica will open its own'));
  }
}
