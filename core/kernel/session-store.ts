/**
 * Where downstream session records live. The proxy code only talks to this interface, so that a
 * shared store (Redis, for replicas) can replace the in-memory one without touching it. A plugin
 * replaces the store with `ctx.provide('session-store', store)`.
 */
import type { ClientCapabilities, Implementation, InitializeResult } from './protocol.ts';

/** A per-client upstream session, as another replica needs it to continue it. */
export interface UpstreamSessionState {
  /** The upstream's session id (`UpstreamChannel.sessionId`). */
  readonly sessionId: string;
  /** What the upstream answered to `initialize`. */
  readonly initialize: InitializeResult;
}

/** Everything a gateway replica needs to know about a downstream session. */
export interface SessionRecord {
  readonly id: string;
  /** The principal that opened the session; another principal may not use it. */
  readonly subject: string | undefined;
  /** The MCP endpoint it was opened on, where alone it is served; absent in older records: `default`. */
  readonly endpoint?: string;
  readonly protocolVersion: string | undefined;
  readonly clientInfo: Implementation | undefined;
  readonly clientCapabilities: ClientCapabilities | undefined;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** The session's per-client upstream sessions, by server name: continued by whichever replica serves it. */
  readonly upstreamSessions?: Readonly<Record<string, UpstreamSessionState>>;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Store the record; it expires after `ttlMs` unless `expire` extends it. Its upstream sessions
   * are added to those stored, never forgotten: a replica writing back a record it took over must
   * not drop one another replica recorded meanwhile.
   */
  set(record: SessionRecord, ttlMs: number): Promise<void>;
  /**
   * Add (or replace) one upstream session in a stored record, as one atomic step: replicas that
   * open upstream sessions for the same client at once must not overwrite each other's. Nothing
   * happens when the record is gone.
   */
  rememberUpstream(id: string, server: string, state: UpstreamSessionState): Promise<void>;
  delete(id: string): Promise<void>;
  /** Push the expiry `ttlMs` into the future (called as the session is used). */
  expire(id: string, ttlMs: number): Promise<void>;
  /** Ids whose time is up; the gateway closes them. */
  expired(now?: number): Promise<string[]>;
  /**
   * A secret every replica sharing the store agrees on (the key that signs `requestState`): the
   * one stored under `name`, or `proposed`, stored, if there is none yet. Optional: without it,
   * each replica signs with its own key unless the config gives one.
   */
  sharedSecret?(name: string, proposed: string): Promise<string>;
}
