/**
 * The live downstream sessions of this process and their records in the session store: opened at
 * `initialize`, touched on every request, closed on DELETE, after `sessions.idle_ttl` without use,
 * or at shutdown. Past `sessions.max` open sessions, a new `initialize` is refused.
 *
 * With replicas sharing sessions, a session's end is everyone's: the replica that ends it deletes
 * the record, ends the upstream sessions recorded for it, and announces it on the bus, where every
 * other replica drops its copy at once. A replica that may have missed announcements (its bus
 * was cut off) checks each session it holds against the store at the session's next use.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { SessionBus } from '../../kernel/session-bus.ts';
import type { SessionRecord, SessionStore, UpstreamSessionState } from '../../kernel/session-store.ts';
import type { ListKind } from '../catalogue.ts';
import type { DownstreamSession, SessionClose } from './session.ts';

export interface SessionRegistryOptions {
  readonly store: SessionStore;
  readonly idleTtlMs: number;
  readonly max: number;
  readonly logger: Logger;
  /** Aborted when the gateway gives up waiting for operations at shutdown: every session's are cancelled. */
  readonly cancel?: AbortSignal;
  /** Replicas sharing sessions: where a session's end is announced, and messages for its exchanges come from. */
  readonly bus?: SessionBus;
  /** End an upstream session recorded for a session that ends here, which no link of this replica holds (another replica opened it). */
  readonly endUpstreamSession?: (server: string, sessionId: string) => Promise<void>;
}

/** How often an end the store could not record is tried again. */
const END_RETRY_MS = 1000;
/** How long an ended session's id is remembered, so that a take-over already under way when it ended does not bring it back. */
const ENDED_MEMORY = { max: 10_000, ttl: 60_000 };

export class SessionRegistry {
  readonly #live = new Map<string, DownstreamSession>();
  readonly #options: SessionRegistryOptions;
  readonly #sweeper: NodeJS.Timeout;
  /** Set at shutdown: the records stay, so that replicas sharing the store go on serving the sessions. */
  #stopping = false;
  /** Sessions held here that may have ended elsewhere while the bus was cut off: checked against the store at their next use. */
  readonly #unchecked = new Set<string>();
  /** Sessions ended here whose record the store could not delete yet (it was down): tried again until it can. */
  readonly #unrecorded = new Set<string>();
  #endRetry: NodeJS.Timeout | undefined;
  readonly #ended = new LRUCache<string, true>(ENDED_MEMORY);

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
    options.bus?.onMessage((message) => {
      if (message.kind === 'ended') {
        this.#ended.set(message.session, true);
        void this.#live.get(message.session)?.close('ended');
      } else if ('session' in message) this.#live.get(message.session)?.fromReplica(message);
    });
    options.bus?.onMissed?.(() => {
      for (const id of this.#live.keys()) this.#unchecked.add(id);
      this.#retryEnds();
    });
    const every = Math.max(1000, Math.min(60_000, Math.floor(options.idleTtlMs / 2)));
    this.#sweeper = setInterval(() => void this.sweep(), every);
    this.#sweeper.unref();
    options.cancel?.addEventListener(
      'abort',
      () => {
        for (const session of this.#live.values()) session.cancelServing(options.cancel!.reason);
      },
      { once: true },
    );
  }

  get size(): number {
    return this.#live.size;
  }

  /** How many sessions are open here, by protocol version and by subject (anonymous: ''). */
  counts(): {
    open: number;
    byProtocolVersion: Record<string, number>;
    bySubject: Record<string, number>;
    unrecordedEnds: number;
  } {
    const byProtocolVersion: Record<string, number> = {};
    const bySubject: Record<string, number> = {};
    for (const session of this.#live.values()) {
      byProtocolVersion[session.protocolVersion] = (byProtocolVersion[session.protocolVersion] ?? 0) + 1;
      const subject = session.subject ?? '';
      bySubject[subject] = (bySubject[subject] ?? 0) + 1;
    }
    return { open: this.#live.size, byProtocolVersion, bySubject, unrecordedEnds: this.#unrecorded.size };
  }

  get full(): boolean {
    return this.#live.size >= this.#options.max;
  }

  get(id: string): DownstreamSession | undefined {
    return this.#live.get(id);
  }

  /** Whether this session must be checked against the store before it is served (see `check`). */
  unchecked(id: string): boolean {
    return this.#unchecked.size > 0 && this.#unchecked.has(id);
  }

  /**
   * Whether a session held here still lives in the store; one that is gone (ended on another
   * replica while this one missed the announcement) is closed here. While the store cannot
   * answer, the session is served, as one the store could not take at all, and checked again
   * at its next use.
   */
  async check(id: string): Promise<boolean> {
    let record: SessionRecord | undefined;
    try {
      record = await this.#options.store.get(id);
    } catch {
      return true;
    }
    this.#unchecked.delete(id);
    if (record) return true;
    this.#options.logger.info(
      { session: id },
      'session ended on another replica while the replicas channel was cut off',
    );
    await this.#live.get(id)?.close('ended');
    return false;
  }

  async record(id: string): Promise<SessionRecord | undefined> {
    return this.#options.store.get(id);
  }

  /**
   * Called by a session once `initialize` gave it an id. A store that cannot take the record (a
   * shared one that is down) leaves the session to this replica alone, which still serves it. A
   * session that ended while this replica was taking it over is not added.
   */
  async add(session: DownstreamSession, record: SessionRecord): Promise<void> {
    if (this.#ended.has(record.id)) return;
    this.#live.set(record.id, session);
    await this.#options.store.set(record, this.#options.idleTtlMs).catch((error: unknown) => {
      this.#options.logger.warn(
        { err: error, session: record.id },
        'session store unavailable; the session is served by this replica only',
      );
    });
    this.#options.logger.debug({ session: record.id, client: record.clientInfo }, 'session opened');
  }

  /**
   * Called by a session as it closes, whatever closed it. A session that ends (`end`: DELETE, idle
   * expiry) is ended for every replica; the promise settles once that is recorded and announced.
   */
  remove(session: DownstreamSession, how: SessionClose): Promise<void> {
    const id = session.id;
    if (id === undefined || this.#live.get(id) !== session) return Promise.resolve();
    this.#live.delete(id);
    this.#unchecked.delete(id);
    if (how !== 'leave') this.#ended.set(id, true);
    this.#options.logger.debug({ session: id, how }, 'session closed');
    if (this.#stopping || how === 'leave') return Promise.resolve();
    // Ended elsewhere: deleted again all the same, in case a take-over here wrote the record back meanwhile.
    if (how === 'ended') return this.#options.store.delete(id).catch(() => {});
    return this.#end(id, new Set(session.openLinks().map((link) => link.upstream.name)));
  }

  /** `linked`: the servers whose upstream session the closing session's own links end. */
  async #end(id: string, linked: ReadonlySet<string>): Promise<void> {
    const { store, bus, endUpstreamSession, logger } = this.#options;
    const record = bus && (await store.get(id).catch(() => undefined));
    try {
      await store.delete(id);
    } catch (error) {
      logger.warn(
        { err: error, session: id },
        "session store unavailable: the session's end is recorded once it is back",
      );
      this.#unrecorded.add(id);
      this.#retryEnds();
    }
    await bus?.send('*', { kind: 'ended', session: id });
    const others = Object.entries(record?.upstreamSessions ?? {}).filter(([server]) => !linked.has(server));
    await Promise.all(
      others.map(([server, state]) =>
        endUpstreamSession?.(server, state.sessionId).catch((error: unknown) =>
          logger.debug({ err: error, session: id, server }, 'upstream session not ended'),
        ),
      ),
    );
  }

  /** Record and announce the ends the store could not take, soon and until it can. */
  #retryEnds(): void {
    if (this.#unrecorded.size === 0 || this.#endRetry) return;
    this.#endRetry = setTimeout(async () => {
      for (const id of this.#unrecorded) {
        try {
          await this.#options.store.delete(id);
        } catch {
          break;
        }
        this.#unrecorded.delete(id);
        await this.#options.bus?.send('*', { kind: 'ended', session: id });
      }
      this.#endRetry = undefined;
      this.#retryEnds();
    }, END_RETRY_MS);
    this.#endRetry.unref();
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

  /** Tell the sessions of `endpoint` that a list of theirs changed. */
  broadcast(kind: ListKind, endpoint: string): void {
    for (const session of this.#live.values()) if (session.endpoint === endpoint) session.notifyListChanged(kind);
  }

  /** Close every session's link to a server a reload removes or replaces (its upstream session ends). */
  unlink(server: string): Promise<void> {
    return Promise.all([...this.#live.values()].map((session) => session.unlink(server))).then(() => {});
  }

  /** At shutdown; `leaving`: other replicas go on serving these sessions (see `DownstreamSession.close`). */
  async closeAll(leaving = false): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweeper);
    clearTimeout(this.#endRetry);
    await Promise.all([...this.#live.values()].map((session) => session.close(leaving ? 'leave' : 'end')));
  }

  /** Add a per-client upstream session to a session's record (the store makes it one atomic step). */
  rememberUpstream(id: string, server: string, state: UpstreamSessionState): Promise<void> {
    return this.#options.store
      .rememberUpstream(id, server, state)
      .catch((error: unknown) =>
        this.#options.logger.warn(
          { err: error, session: id, server },
          'upstream session not recorded; another replica will open its own',
        ),
      );
  }
}
