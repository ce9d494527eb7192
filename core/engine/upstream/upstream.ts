/**
 * One configured upstream server over its whole life. Its *control connection* connects with
 * backoff, finds out the server's protocol era (era-probe.ts) and shakes hands in it (`initialize`
 * for the 2025 era; for 2026-07-28 the `server/discover` answer is all there is), discovers the
 * catalogue (again on `list_changed` and periodically), answers for the server's health
 * (heartbeat `ping`, or `server/discover` where `ping` no longer exists), and serves requests of
 * upstreams in `shared` session mode, and all requests of a 2026-07-28 upstream, which has no
 * sessions. Upstreams in `per-client` mode also get one link per downstream session
 * (see link.ts), opened through `openChannel`. A lost connection makes the upstream `down` until
 * a new one is made, with backoff; a control session the server forgot while it still answers is
 * replaced at once instead, and the upstream stays `ready` meanwhile.
 */
import type { Logger } from 'pino';
import { ErrorCodes, GatewayError, isSessionLost, RpcCodes, RpcError } from '../../kernel/errors.ts';
import type {
  Implementation,
  InitializeResult,
  JSONRPCNotification,
  Prompt,
  Resource,
  ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '../../kernel/protocol.ts';
import { backoffDelay } from './backoff.ts';
import { UpstreamClient, type UpstreamRequestOptions } from './client.ts';
import { type EraVerdict, isDiscoverResult, MODERN_VERSION, probeEra } from './era-probe.ts';
import { ListenStream } from './list-changes.ts';
import type { DownstreamPeer } from './peer.ts';
import type { UpstreamProtocol } from '../../kernel/config/schema.ts';
import type { UpstreamPolicy } from '../../kernel/config/upstream-policy.ts';
import type { TransportFactory, UpstreamChannel, UpstreamServer } from '../../kernel/transport.ts';
import type { UpstreamState, UpstreamStatus } from '../../kernel/upstream-status.ts';

export interface UpstreamCatalogue {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

export interface UpstreamOptions {
  readonly server: UpstreamServer;
  readonly prefix: string;
  readonly required: boolean;
  /** The era to speak: `auto` probes the server. */
  readonly protocol: UpstreamProtocol;
  readonly policy: UpstreamPolicy;
  readonly transport: TransportFactory;
  readonly logger: Logger;
  readonly clientInfo: Implementation;
}

type ListKind = keyof UpstreamCatalogue;
const allKinds: ListKind[] = ['tools', 'prompts', 'resources', 'resourceTemplates'];
const listMethods: Record<ListKind, { method: string; key: string; capability: 'tools' | 'prompts' | 'resources' }> = {
  tools: { method: 'tools/list', key: 'tools', capability: 'tools' },
  prompts: { method: 'prompts/list', key: 'prompts', capability: 'prompts' },
  resources: { method: 'resources/list', key: 'resources', capability: 'resources' },
  resourceTemplates: { method: 'resources/templates/list', key: 'resourceTemplates', capability: 'resources' },
};
export const listChangedKinds: Readonly<Record<string, readonly ListKind[]>> = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
};
const emptyCatalogue: UpstreamCatalogue = { tools: [], prompts: [], resources: [], resourceTemplates: [] };
/** How long a server on a message stream (stdio) may take to answer the era probe before it counts as one of the 2025 era. */
const STREAM_PROBE_TIMEOUT_MS = 5000;

export class Upstream {
  readonly name: string;
  readonly prefix: string;
  readonly required: boolean;
  readonly policy: UpstreamPolicy;
  catalogue: UpstreamCatalogue = emptyCatalogue;
  /** Called when the catalogue's content changed, or the upstream entered or left `ready`. */
  oncataloguechange?: () => void;
  /** Called on every change of state, with the reason of a failure; `ready` after `ready` when the server was reached again on a new control session. */
  onstatechange?: (state: UpstreamState, previous: UpstreamState, error: string | undefined) => void;
  /** Called when the server says a resource changed (shared subscriptions fan out from here). */
  onresourceupdated?: (uri: string, notification: JSONRPCNotification) => void;
  /** Settles when the first connection attempt has ended, whatever its outcome. */
  readonly firstAttempt: Promise<void>;

  readonly #options: UpstreamOptions;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  /** Set only while ready: the control connection. */
  #client: UpstreamClient | undefined;
  /** While a forgotten control session is replaced (see `#lost`): the new one, once open. */
  #renewing: Promise<UpstreamClient | undefined> | undefined;
  /** The control session the server forgot last, whose requests go again on the new one. */
  #forgotten: UpstreamClient | undefined;
  /** When the control session in use was opened. */
  #openedAt = 0;
  /** A ping that `probe` sent and that has not settled. */
  #probing: Promise<void> | undefined;
  /** The server's era as the probe found it (`protocol: auto`); forgotten when the server goes down. */
  #era: EraVerdict['era'] | undefined;
  /** Ends the control session's `subscriptions/listen` stream (2026-07-28). */
  #listening: AbortController | undefined;
  #listen: ListenStream | undefined;
  /** The resources the gateway's clients subscribed to, for a 2026-07-28 server's listen filter. */
  readonly #subscribed = new Set<string>();
  #initialize: InitializeResult | undefined;
  #state: UpstreamState = 'connecting';
  #since = new Date();
  #error: string | undefined;
  #failures = 0;
  #connections = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** When the attempt the retry timer starts is due. */
  #retryAt: Date | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** The round trip of the last ping answered (ms). */
  #heartbeatMs: number | undefined;
  #rediscoveryTimer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;
  #discovering: Promise<void> | undefined;
  #readyWaiters: (() => void)[] = [];
  #endFirstAttempt!: () => void;
  /** Peers of shared-mode requests in flight: a server-to-client request goes to the only one. */
  readonly #inFlight = new Set<DownstreamPeer>();

  constructor(options: UpstreamOptions) {
    this.#options = options;
    this.name = options.server.name;
    this.prefix = options.prefix;
    this.required = options.required;
    this.policy = options.policy;
    this.#log = options.logger;
    this.firstAttempt = new Promise((resolve) => (this.#endFirstAttempt = resolve));
  }

  get state(): UpstreamState {
    return this.#state;
  }

  get logger(): Logger {
    return this.#log;
  }

  /** What the server said at `initialize` or `server/discover` (its capabilities), once it has been reached. */
  get capabilities(): ServerCapabilities | undefined {
    return this.#initialize?.capabilities;
  }

  /** The protocol version spoken with the server, once it has been reached. */
  get protocolVersion(): string | undefined {
    return this.#initialize?.protocolVersion;
  }

  /** Whether the server speaks the 2026-07-28 era (known once reached): no sessions, every request on the control connection. */
  get modern(): boolean {
    return this.#client?.modern ?? this.protocolVersion === MODERN_VERSION;
  }

  get clientInfo(): Implementation {
    return this.#options.clientInfo;
  }

  status(): UpstreamStatus {
    const info = this.#initialize?.serverInfo;
    return {
      name: this.name,
      type: this.#options.server.type,
      state: this.#state,
      required: this.required,
      since: this.#since.toISOString(),
      ...(this.#error === undefined ? {} : { error: this.#error }),
      failures: this.#failures,
      connections: this.#connections,
      ...(info ? { serverInfo: info } : {}),
      ...(this.protocolVersion ? { protocolVersion: this.protocolVersion } : {}),
      ...(this.#heartbeatMs === undefined ? {} : { heartbeatMs: this.#heartbeatMs }),
      ...(this.#state === 'down' && this.#retryAt ? { retryAt: this.#retryAt.toISOString() } : {}),
      tools: this.catalogue.tools.length,
      prompts: this.catalogue.prompts.length,
      resources: this.catalogue.resources.length,
    };
  }

  start(): void {
    this.#attempt();
  }

  /** A new channel to the server, for a per-client upstream session (`resume`: the id of one to continue). */
  openChannel(signal?: AbortSignal, resume?: string): Promise<UpstreamChannel> {
    const aborted = signal ? AbortSignal.any([signal, this.#stopping.signal]) : this.#stopping.signal;
    return this.#options.transport.open(this.#options.server, {
      logger: this.#log,
      signal: aborted,
      ...(resume && { resume }),
    });
  }

  /** A request on the control connection; fails at once, naming the server, when it is not connected. */
  async request(method: string, params: Record<string, unknown> | undefined, options: UpstreamRequestOptions = {}) {
    const client = this.#client ?? (await this.#renewing);
    if (this.#state !== 'ready' || !client) throw this.unavailable();
    const { peer } = options;
    if (peer) this.#inFlight.add(peer);
    try {
      return await client.request(method, params, options);
    } finally {
      if (peer) this.#inFlight.delete(peer);
    }
  }

  /**
   * Hear of `uri`'s updates (or no longer, with `subscribe` false), for the gateway's clients: with
   * `resources/subscribe|unsubscribe` in the 2025 era, through the listen stream's filter in 2026-07-28.
   */
  async subscribe(uri: string, subscribe: boolean): Promise<void> {
    if (!this.modern) {
      await this.request(subscribe ? 'resources/subscribe' : 'resources/unsubscribe', { uri });
      return;
    }
    if (this.#state !== 'ready') throw this.unavailable();
    if (subscribe && !this.capabilities?.resources?.subscribe)
      throw new RpcError(RpcCodes.METHOD_NOT_FOUND, `upstream server "${this.name}" has no resource subscriptions`);
    const changed = subscribe ? !this.#subscribed.has(uri) : this.#subscribed.has(uri);
    if (subscribe) this.#subscribed.add(uri);
    else this.#subscribed.delete(uri);
    if (changed) this.#listen?.refilter();
  }

  unavailable(): GatewayError {
    return new GatewayError(ErrorCodes.UPSTREAM_UNAVAILABLE, `upstream server "${this.name}" is ${this.#state}`, {
      rpcCode: RpcCodes.INTERNAL_ERROR,
      data: { server: this.name, state: this.#state },
    });
  }

  /** Resolves true once ready (at once if it is), false if `timeoutMs` passes first. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.#state === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#readyWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  /** Read lists again (after a `list_changed`, or a per-client session's one); coalesced. */
  refresh(kinds: readonly ListKind[] = allKinds): Promise<void> {
    const client = this.#client;
    if (!client) return Promise.resolve();
    this.#discovering ??= this.#discover(client, kinds)
      .catch((error: unknown) => this.#log.warn({ err: error }, 'refreshing the lists failed'))
      .finally(() => (this.#discovering = undefined));
    return this.#discovering;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#retryTimer);
    this.#stopTimers();
    // An attempt in flight sees the abort, closes what it opened and settles.
    await this.#connecting;
    await this.#renewing;
    this.#setState('closed');
    const client = this.#client;
    this.#client = undefined;
    this.#endFirstAttempt();
    if (client)
      await client.close().catch((error: unknown) => this.#log.warn({ err: error }, 'error while closing upstream'));
    this.#options.transport.release?.(this.#options.server);
  }

  #attempt(): void {
    this.#connecting = this.#connect().finally(() => (this.#connecting = undefined));
  }

  async #connect(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    this.#setState('connecting');
    try {
      this.#use(await this.#open());
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#endFirstAttempt();
    }
  }

  /** The server forgot the control session but answers: a new one, while staying ready; down only if that fails. */
  async #renew(forgotten: Error): Promise<UpstreamClient | undefined> {
    this.#log.info({ error: forgotten.message }, 'the upstream no longer knows the control session: opening a new one');
    try {
      return this.#use(await this.#open());
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  /** A new control session: channel, era, handshake, first discovery; closed again if a step fails. */
  async #open(): Promise<UpstreamClient> {
    let opened = await this.#openClient();
    try {
      const verdict = await this.#findEra(opened.client);
      if (verdict.era === 'legacy' && verdict.restart) {
        await opened.client.close().catch(() => {});
        opened = await this.#openClient();
      }
      const { client } = opened;
      if (verdict.era === 'modern') client.adopt(MODERN_VERSION, verdict.discovered, this.#options.clientInfo);
      // The control connection asks for nothing the gateway could not route: it never relays
      // sampling or elicitation, which per-client sessions carry with the real client's capabilities.
      else await client.initialize(this.#options.clientInfo, {}, this.#handshake());
      this.#initialize = client.initializeResult;
      await this.#discover(client, allKinds);
      this.#stopping.signal.throwIfAborted();
      opened.throwIfLost();
      return client;
    } catch (error) {
      await opened.client.close().catch(() => {});
      throw error;
    }
  }

  /** A client on a new channel, which reports the channel's loss once it is the one in use. */
  async #openClient(): Promise<{ client: UpstreamClient; throwIfLost: () => void }> {
    const channel = await this.openChannel();
    const client: UpstreamClient = new UpstreamClient(channel, this.name, this.#options.policy.timeoutMs, {
      onNotification: (notification, peer) => this.#onNotification(notification, peer),
      peerFor: () => (this.#inFlight.size === 1 ? [...this.#inFlight][0] : undefined),
      // Only a session that was in use: one that is opening fails its own handshake.
      renewed: () => (this.#forgotten === client ? (this.#client ?? this.#renewing) : undefined),
    });
    let lostWhileConnecting: Error | undefined;
    channel.onclose = (error) => {
      if (this.#client === client) this.#lost(client, error ?? new Error('connection closed'));
      else lostWhileConnecting = error ?? new Error('connection closed');
    };
    const throwIfLost = () => {
      if (lostWhileConnecting) throw lostWhileConnecting;
    };
    return { client, throwIfLost };
  }

  /** The server's era: as `protocol:` pins it, as probed before while the server stayed up, or probed now. */
  async #findEra(client: UpstreamClient): Promise<EraVerdict> {
    const { protocol, clientInfo } = this.#options;
    const era = protocol === 'auto' ? this.#era : protocol === MODERN_VERSION ? 'modern' : 'legacy';
    if (era === 'legacy') return { era, reason: `protocol ${protocol}`, restart: false };
    if (era === 'modern') {
      const notModern = (answer: string) =>
        new GatewayError(
          ErrorCodes.UPSTREAM_PROTOCOL,
          `upstream ${this.name} ${answer}: not a ${MODERN_VERSION} server`,
        );
      // What it offers is asked again: it may have changed since.
      const discovered = await client
        .discover(MODERN_VERSION, clientInfo, this.#handshake())
        .catch((error: unknown) => {
          throw error instanceof RpcError ? notModern(`answered server/discover with "${error.message}"`) : error;
        });
      if (isDiscoverResult(discovered)) return { era, discovered };
      throw notModern('answered server/discover without a discover result that lists it');
    }
    const oneExchangePerRequest = client.channel.oneExchangePerRequest === true;
    const { connectTimeoutMs } = this.#options.policy;
    const verdict = await probeEra(
      client,
      clientInfo,
      {
        signal: this.#stopping.signal,
        timeoutMs: oneExchangePerRequest ? connectTimeoutMs : Math.min(connectTimeoutMs, STREAM_PROBE_TIMEOUT_MS),
      },
      oneExchangePerRequest,
    );
    if (verdict.era === 'legacy') this.#log.debug({ reason: verdict.reason }, 'the upstream speaks the 2025 era');
    this.#era = verdict.era;
    return verdict;
  }

  /** An open control session becomes the one in use: the upstream is ready. */
  #use(client: UpstreamClient): UpstreamClient {
    this.#client = client;
    this.#openedAt = Date.now();
    this.#connections++;
    this.#failures = 0;
    this.#error = undefined;
    // A renewed control session (the server restarted unseen) is a new connection all the same:
    // observers hear of it as ready after ready (a cache forgets what the old process answered).
    if (this.#state === 'ready') this.onstatechange?.('ready', 'ready', undefined);
    else this.#setState('ready');
    this.#startTimers(client);
    if (client.modern) {
      this.#listening = new AbortController();
      this.#listen = new ListenStream(
        client,
        this.#listening.signal,
        this.#log,
        () => void this.refresh(),
        () => [...this.#subscribed],
      );
    }
    this.#log.info(
      {
        upstream: this.#initialize?.serverInfo,
        protocolVersion: this.#initialize?.protocolVersion,
        tools: this.catalogue.tools.length,
      },
      'upstream connected',
    );
    return client;
  }

  /** A failed attempt or a lost connection: down, and another attempt after the backoff. */
  #fail(error: unknown): void {
    if (this.#stopping.signal.aborted) return;
    // The server that comes back may be another one, or another version: its era is asked again.
    this.#era = undefined;
    this.#failures += 1;
    this.#error = error instanceof Error ? error.message : String(error);
    this.#setState('down');
    this.#scheduleReconnect();
  }

  #handshake() {
    return { signal: this.#stopping.signal, timeoutMs: this.#options.policy.connectTimeoutMs };
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#failures - 1, this.#options.policy.backoff);
    this.#log.warn({ error: this.#error, failures: this.#failures, retryInMs: delay }, 'upstream unavailable');
    this.#retryAt = new Date(Date.now() + delay);
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
    this.#retryTimer.unref();
  }

  #lost(client: UpstreamClient, error: Error): void {
    if (this.#stopping.signal.aborted || this.#client !== client) return;
    this.#client = undefined;
    this.#stopTimers();
    void client.close().catch(() => {});
    // A session forgotten as soon as it was opened means a server that cannot keep one (behind a
    // load balancer without sticky sessions, say): down with backoff, not renewed in a loop.
    if (!isSessionLost(error) || Date.now() - this.#openedAt < this.#options.policy.backoff.initialMs)
      return this.#fail(error);
    this.#forgotten = client;
    this.#renewing = this.#renew(error).finally(() => (this.#renewing = undefined));
  }

  #startTimers(client: UpstreamClient): void {
    const { heartbeat, rediscoveryMs } = this.#options.policy;
    if (heartbeat) {
      this.#heartbeatTimer = setInterval(() => void this.#ping(client, 'heartbeat failed'), heartbeat.intervalMs);
      this.#heartbeatTimer.unref();
    }
    if (rediscoveryMs > 0) {
      this.#rediscoveryTimer = setInterval(() => void this.refresh(), rediscoveryMs);
      this.#rediscoveryTimer.unref();
    }
  }

  /**
   * A per-client session lost its connection: the server may be gone. The control session is
   * pinged now rather than at the next heartbeat, so that the upstream's state says so at once
   * (a server without a GET stream gives its control session no other way to find out).
   */
  probe(): void {
    const client = this.#client;
    if (!client || this.#probing) return;
    this.#probing = this.#ping(client, 'ping after a lost connection failed').finally(
      () => (this.#probing = undefined),
    );
  }

  /**
   * A `ping` on the control session (`server/discover` in the 2026-07-28 era, which has no `ping`);
   * no answer in time means the connection is lost.
   */
  #ping(client: UpstreamClient, failure: string): Promise<void> {
    const { heartbeat, timeoutMs } = this.#options.policy;
    const sent = performance.now();
    return client
      .request(client.modern ? 'server/discover' : 'ping', undefined, {
        timeoutMs: heartbeat?.timeoutMs ?? timeoutMs,
        signal: this.#stopping.signal,
      })
      .then(
        () => void (this.#heartbeatMs = Math.round((performance.now() - sent) * 100) / 100),
        (error: unknown) =>
          this.#lost(client, new Error(`${failure}: ${error instanceof Error ? error.message : String(error)}`)),
      );
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeatTimer);
    clearInterval(this.#rediscoveryTimer);
    this.#listening?.abort();
    this.#listening = undefined;
    this.#listen = undefined;
  }

  /** Fetch the lists this upstream offers; a list that fails is logged and kept as it was. */
  async #discover(client: UpstreamClient, kinds: readonly ListKind[]): Promise<void> {
    const capabilities = client.initializeResult?.capabilities ?? {};
    const next: Record<ListKind, readonly unknown[]> = { ...this.catalogue };
    await Promise.all(
      kinds.map(async (kind) => {
        const { method, key, capability } = listMethods[kind];
        if (!capabilities[capability]) return void (next[kind] = []);
        try {
          next[kind] = await client.listAll(method, key, this.#handshake());
        } catch (error) {
          if (kind === 'tools') throw error;
          this.#log.warn({ err: error, method }, 'upstream list failed; keeping the previous one');
        }
      }),
    );
    // A list that did not change keeps its objects: the gateway tells unchanged items by identity.
    let changed = false;
    for (const kind of kinds) {
      if (sameList(next[kind], this.catalogue[kind])) next[kind] = this.catalogue[kind];
      else changed = true;
    }
    this.catalogue = next as unknown as UpstreamCatalogue;
    // While connecting, becoming ready announces the catalogue (see #setState).
    if (changed && this.#state === 'ready') this.oncataloguechange?.();
  }

  #onNotification(notification: JSONRPCNotification, peer: DownstreamPeer | undefined): void {
    if (peer) return void peer.notify(notification).catch(() => {});
    const kinds = listChangedKinds[notification.method];
    if (kinds) return void this.refresh(kinds);
    if (notification.method === 'notifications/resources/updated') {
      const uri = notification.params?.uri;
      if (typeof uri === 'string') this.onresourceupdated?.(uri, notification);
      return;
    }
    if (notification.method === 'notifications/message') {
      // A shared connection's log messages belong to no one client: they stay in the gateway's log.
      this.#log.info({ upstreamLog: notification.params }, 'upstream log message');
      return;
    }
    this.#log.debug({ method: notification.method }, 'upstream notification not forwarded');
  }

  #setState(state: UpstreamState): void {
    if (this.#state === state) return;
    const visibilityChanged = this.#state === 'ready' || state === 'ready';
    const previous = this.#state;
    this.#state = state;
    this.#since = new Date();
    this.onstatechange?.(state, previous, state === 'down' ? this.#error : undefined);
    if (state === 'ready') for (const wake of this.#readyWaiters.splice(0)) wake();
    // Only a ready upstream's items are listed (unless when_down is `error`), so this changes the catalogue.
    if (visibilityChanged) this.oncataloguechange?.();
  }
}

/** Whether two lists an upstream sent are equal, item by item: a changed list is told at its first change. */
const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((item, i) => JSON.stringify(item) === JSON.stringify(b[i]));
