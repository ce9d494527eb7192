/**
 * Messages between gateway replicas that share sessions (through Redis, say). A session's client
 * may send each request to another replica: its answer to a server-to-client request must reach
 * the replica that asked, its cancellation the replica serving the request, and a notification
 * or request for it the replica holding its GET stream. A plugin provides the bus with
 * `ctx.provide('session-bus', bus)`; without one (a single replica) nothing needs routing.
 */
import type { JSONRPCNotification, JSONRPCRequest, RequestId } from './protocol.ts';

/** A client's answer to a request the gateway sent it (a result or an error). */
export interface ClientAnswer {
  readonly id: RequestId;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: number; message: string; data?: unknown };
}

export type ReplicaMessage =
  /** The client's answer to a request a replica sent it (ids name the replica that asked). */
  | { readonly kind: 'answer'; readonly session: string; readonly answer: ClientAnswer }
  /** The client cancelled a request of its session, served by whichever replica has it. */
  | { readonly kind: 'cancelled'; readonly session: string; readonly requestId: RequestId; readonly reason: unknown }
  /** A notification for the client, for the replica that holds its GET stream. */
  | { readonly kind: 'notify'; readonly session: string; readonly notification: JSONRPCNotification }
  /** A request for the client outside any of its requests, for the replica that holds its GET stream (the id names the replica that asks). */
  | { readonly kind: 'ask'; readonly session: string; readonly request: JSONRPCRequest }
  /** The session ended (DELETE, idle expiry): every replica drops its copy, and its upstream sessions, at once. */
  | { readonly kind: 'ended'; readonly session: string }
  /**
   * A stateless client's retry of a call another replica holds (it asked the client for input):
   * the answers, for that replica to continue the call with. `exchange` names the asking replica's
   * wait for the round's end.
   */
  | {
      readonly kind: 'continue';
      readonly replica: string;
      readonly exchange: string;
      readonly call: string;
      readonly round: number;
      readonly inputResponses: Readonly<Record<string, unknown>>;
    }
  /** How a continued round ended: the result (maybe another `input_required`) or the error, for the replica that asked. */
  | {
      readonly kind: 'continued';
      readonly exchange: string;
      readonly result?: Record<string, unknown>;
      readonly error?: { code: number; message: string; data?: unknown };
    };

export interface SessionBus {
  /** This replica's name, unique among those on the bus; it is part of the ids of its requests to clients. */
  readonly replica: string;
  /** Send to one replica, or to every other one with `'*'`. Never throws: a lost message is logged. */
  send(to: string, message: ReplicaMessage): Promise<void>;
  /** Messages from other replicas for this one. */
  onMessage(handler: (message: ReplicaMessage) => void): void;
  /**
   * Messages may have been lost: the bus was cut off and is back. Each replica then checks the
   * sessions it holds against the store before it serves them again (one may have ended meanwhile).
   * A bus that cannot tell should call it after every reconnection; without it, a session ended
   * on another replica while messages were lost is found at the store's next sweep.
   */
  onMissed?(handler: () => void): void;
}
