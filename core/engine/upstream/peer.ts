/**
 * The downstream side of an exchange with an upstream: where the upstream's notifications and
 * server-to-client requests (sampling, elicitation, roots) go, and who the client is. An MCP
 * operation has one (it answers on the stream of the request being served); a downstream session
 * has one too (for messages that belong to no request, sent on the client's GET stream).
 */
import type { ClientIdentity } from '../../kernel/context.ts';
import type { JSONRPCNotification } from '../../kernel/protocol.ts';

export interface ServerToClientRequest {
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export interface DownstreamPeer {
  /** The downstream client, as it introduced itself: forwarded to the upstream sessions opened for it. */
  readonly client: ClientIdentity;
  notify(notification: JSONRPCNotification): Promise<void>;
  /**
   * Ask the client, resolve with its result; reject with its JSON-RPC error (an object with
   * `code`, `message`, `data`). The signal cancels the request at the client.
   */
  request(request: ServerToClientRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
}
