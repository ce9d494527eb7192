/**
 * A per-client upstream session: the upstream session that one downstream session uses with one
 * upstream server in `per-client` mode. It is opened at the first request that needs it, with
 * the downstream client's own `clientInfo` and capabilities (so the upstream only asks for what
 * the real client supports), and closed with the downstream session. If the connection drops, the
 * next request opens a new one; if the upstream forgot the session (it restarted), the request it
 * refused is sent again on a new one. An upstream of the 2026-07-28 era has no sessions: its
 * requests go on its control connection, each with the client's identity in its envelope.
 */
import { ErrorCodes, GatewayError, isSessionLost } from '../../kernel/errors.ts';
import type { JSONRPCNotification } from '../../kernel/protocol.ts';
import { UpstreamClient, type UpstreamRequestOptions } from './client.ts';
import type { DownstreamPeer } from './peer.ts';
import type { UpstreamSessionState } from '../../kernel/session-store.ts';
import { listChangedKinds, type Upstream } from './upstream.ts';

export interface LinkOptions {
  /** The downstream session: receives what the upstream sends outside any request. */
  readonly peer: DownstreamPeer;
  /** Notifications for the downstream session (logs, resource updates), before any mapping. */
  readonly onNotification: (notification: JSONRPCNotification) => void;
  /** Sent after each handshake, so that a reopened session keeps the client's logging level. */
  readonly logLevel: () => string | undefined;
  /** An upstream session another replica opened for this client: continued rather than opened anew. */
  readonly resume?: UpstreamSessionState;
  /** A new upstream session is open: for the session's record, so that other replicas can continue it. */
  readonly onOpened?: (state: UpstreamSessionState) => void;
}

export class UpstreamLink {
  readonly upstream: Upstream;
  readonly #options: LinkOptions;
  #client: UpstreamClient | undefined;
  #opening: Promise<UpstreamClient> | undefined;
  #closed = false;
  /** Tried once, at the first open. */
  #resume: UpstreamSessionState | undefined;

  constructor(upstream: Upstream, options: LinkOptions) {
    this.upstream = upstream;
    this.#options = options;
    this.#resume = options.resume;
  }

  get open(): boolean {
    return this.#client !== undefined;
  }

  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: UpstreamRequestOptions = {},
  ): Promise<Record<string, unknown>> {
    if (this.upstream.modern) return this.upstream.request(method, params, options);
    const client = this.#client;
    // An open session: nothing to do on the way back (no step of its own on a path every tool call takes).
    if (client) return client.request(method, params, options);
    return this.#open().then((opened) => opened.request(method, params, options));
  }

  /** Tell the upstream session something (a change of the client's roots); nothing if it is not open. */
  notify(method: string, params?: Record<string, unknown>): void {
    this.#client?.notify(method, params);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#opening?.catch(() => undefined));
    this.#client = undefined;
    await client?.close().catch(() => {});
  }

  #open(): Promise<UpstreamClient> {
    if (this.#closed) return Promise.reject(new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, 'the session is closed'));
    this.#opening ??= this.#connect().finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  async #connect(): Promise<UpstreamClient> {
    const { upstream } = this;
    const { peer } = this.#options;
    // While the server is down, fail at once rather than wait for a connection that the control
    // connection already knows is refused.
    if (upstream.state !== 'ready' && upstream.policy.whenDown === 'error') throw upstream.unavailable();
    const resume = this.#resume;
    this.#resume = undefined;
    let channel;
    try {
      channel = await upstream.openChannel(undefined, resume?.sessionId);
    } catch (error) {
      upstream.probe();
      throw new GatewayError(
        ErrorCodes.UPSTREAM_UNAVAILABLE,
        `upstream server "${upstream.name}" cannot be reached: ${(error as Error).message}`,
        {
          data: { server: upstream.name },
          cause: error,
        },
      );
    }
    let inUse = false;
    const client = new UpstreamClient(channel, upstream.name, upstream.policy.timeoutMs, {
      onNotification: (notification, related) => {
        if (related) return void related.notify(notification).catch(() => {});
        const kinds = listChangedKinds[notification.method];
        // The catalogue is the server's, shared by all sessions: read it again once, for everyone.
        if (kinds) return void upstream.refresh(kinds);
        this.#options.onNotification(notification);
      },
      peerFor: () => peer,
      // The channel reported the forgotten session lost first (see below): the session another
      // request opened since, or a new one. A continued session the upstream no longer knows (it
      // expired while no replica used it) is replaced this way too. Not while this one opens: its
      // handshake would wait for itself.
      renewed: () => (inUse ? (this.#client ?? this.#open()) : undefined),
    });
    channel.onclose = (error) => {
      if (this.#client === client) this.#client = undefined;
      // The server may be gone: its control session finds out now (a forgotten session says the server answers).
      if (!this.#closed && !isSessionLost(error)) upstream.probe();
    };
    try {
      if (resume && channel.sessionId === resume.sessionId) client.resume(resume.initialize);
      else {
        await client.initialize(peer.client.info ?? upstream.clientInfo, peer.client.capabilities ?? {}, {
          timeoutMs: upstream.policy.connectTimeoutMs,
        });
        const level = this.#options.logLevel();
        if (level && client.initializeResult?.capabilities.logging) await client.request('logging/setLevel', { level });
        if (channel.sessionId && client.initializeResult)
          this.#options.onOpened?.({ sessionId: channel.sessionId, initialize: client.initializeResult });
      }
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.close().catch(() => {});
      throw new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, 'the session closed while connecting');
    }
    this.#client = client;
    inUse = true;
    return client;
  }
}
