/**
 * A running gateway: boot (plugins set up, HTTP listening, upstreams connecting), the live
 * catalogue, and the graceful stop. Boot order matters: the HTTP server listens before upstreams
 * are connected, so that `/live` answers at once and `/ready` reports the boot as it happens.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAnswer, afterAnswers } from './after-answer.ts';
import {
  Catalogue,
  type CatalogueSource,
  type ListKind,
  type NameClash,
  sameItems,
  upstreamLists,
} from './catalogue.ts';
import type { GatewayConfig } from '../kernel/config/schema.ts';
import type { CatalogueItem, GatewayEnv, Logger } from '../kernel/context.ts';
import type { OperationEvent } from '../kernel/events.ts';
import type { ServerCapabilities } from '../kernel/protocol.ts';
import { ErrorCodes, GatewayError, RpcCodes } from '../kernel/errors.ts';
import { METADATA_PATH } from '../lib/auth/protected-resource.ts';
import { createApp } from './http/app.ts';
import { configuredEndpoints, type Endpoint, EndpointViews } from './endpoints.ts';
import { DEFAULT_ENDPOINT, DEFAULT_ENDPOINT_PATH as MCP_PATH } from '../kernel/config/endpoints.ts';
import { defaultAllowedOrigins, originMatcher } from '../lib/http/origin.ts';
import { InFlight } from './in-flight.ts';
import { Kernel } from '../runner/kernel.ts';
import type { GatewayPlan, PlannedServer } from '../boot/loader/plan.ts';
import { diffPlans, type PlanDiff } from '../boot/loader/plan-diff.ts';
import { type McpEndpointOptions, mcpEndpoint } from './mcp/endpoint.ts';
import { StatelessServer } from './mcp/stateless.ts';
import { InputBridge } from './mcp/input-bridge.ts';
import { META } from './mcp/era.ts';
import { RequestStateSeal } from './mcp/request-state.ts';
import { TaskIds } from './mcp/task-ids.ts';
import { McpProxy } from './mcp/proxy.ts';
import { runOperation } from './mcp/operations.ts';
import { ServedTools } from './served-tools.ts';
import { DownstreamSession } from './mcp/session.ts';
import { SessionRegistry } from './mcp/sessions.ts';
import { SharedSubscriptions } from './mcp/subscriptions.ts';
import { BoundedEventStore } from './mcp/event-store.ts';
import type { GatewayPhase, GatewayStatus, GatewayView, ReloadOutcome, RunningPlan } from '../kernel/plugin.ts';
import type { UpstreamSessionState } from '../kernel/session-store.ts';
import { MemorySessionStore } from './mcp/memory-session-store.ts';
import { Upstream } from './upstream/upstream.ts';
import { gatewayName, gatewayVersion } from './version.ts';

/** After cancelling at shutdown, how long the error responses get to reach their clients. */
const CANCEL_FLUSH_MS = 1000;

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly plan: GatewayPlan;
  readonly baseDir: string;
  readonly logger: Logger;
  /** The configuration file it was started from, if any (shown in `GatewayView.plan()`). */
  readonly configFile?: string;
}

export class Gateway {
  readonly kernel: Kernel;
  readonly inFlight = new InFlight();
  readonly view: GatewayView;
  /** Aborted when the shutdown timeout passes: operations still running end with an error. */
  readonly #cancel = new AbortController();
  #app: Hono<GatewayEnv> | undefined;
  #phase: GatewayPhase = 'starting';
  #upstreams: Upstream[] = [];
  #catalogue = Catalogue.empty;
  /**
   * While starting or stopping, upstreams coming up or going down only mark the catalogue stale
   * (it is rebuilt when read): rebuilding it for each of N upstreams costs O(N²).
   */
  #catalogueStale = false;
  /** A rebuild is due on the next turn (see `#catalogueChanged`). */
  #refreshing = false;
  #sessions: SessionRegistry | undefined;
  #served = new ServedTools([], []);
  #stateless: StatelessServer | undefined;
  #bridge: InputBridge | undefined;
  readonly #byName = new Map<string, Upstream>();
  /** Server name → prefix, kept current across reloads (the proxy reads it to explain unknown names). */
  readonly #prefixes = new Map<string, string>();
  readonly #subscriptions = new SharedSubscriptions();
  /** The MCP endpoints, `default` first: fixed until a restart. */
  readonly #endpoints: readonly Endpoint[];
  readonly #views: EndpointViews;
  #server: HttpServer | undefined;
  #port: number;
  /** `http://<address>:<port>` as bound, which may differ from `server.host` (`localhost`). */
  #listeningOn: string | undefined;
  #stopping: Promise<void> | undefined;
  #options: GatewayOptions;
  readonly #startedAt = new Date().toISOString();
  #lastReload: ReloadOutcome | undefined;
  readonly #log: Logger;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#port = options.config.server.port;
    this.#endpoints = configuredEndpoints(options.config.endpoints);
    this.#views = new EndpointViews(this.#endpoints, (server) => this.#served.serves(server));
    const gateway = this;
    const endpointUrls = (path: string) => {
      const url = new URL(path.slice(1), `${gateway.baseUrl.replace(/\/$/, '')}/`);
      return { url: url.href, resourceMetadata: `${url.origin}${METADATA_PATH}${url.pathname}` };
    };
    this.view = {
      version: gatewayVersion,
      get urls() {
        const { url, resourceMetadata } = endpointUrls(MCP_PATH);
        return { base: gateway.baseUrl, mcp: url, resourceMetadata };
      },
      endpoints: () => this.#endpoints.map(({ name, path }) => ({ name, path, ...endpointUrls(path) })),
      status: () => this.status(),
      eventsDelivered: afterAnswers,
      catalogue: (endpoint) => (endpoint === undefined ? this.catalogue : this.#views.view(this.catalogue, endpoint)),
      plan: () => this.#runningPlan(),
      sessions: () => ({
        ...(this.#sessions?.counts() ?? { open: 0, byProtocolVersion: {}, bySubject: {}, unrecordedEnds: 0 }),
        store: this.kernel.services.get('session-store') ? 'shared' : 'memory',
      }),
    };
    this.kernel = new Kernel({
      plugins: options.plan.plugins,
      config: options.config,
      baseDir: options.baseDir,
      logger: options.logger,
      gateway: this.view,
    });
  }

  /** The public base URL: `server.url`, else the local address the gateway listens on. */
  get baseUrl(): string {
    return this.#options.config.server.url ?? `http://localhost:${this.#port}`;
  }

  /** The HTTP application; drive it in-process with `gateway.app.request(...)`. */
  get app(): Hono<GatewayEnv> {
    if (!this.#app) throw new Error('the gateway has not started');
    return this.#app;
  }

  get port(): number {
    return this.#port;
  }

  get catalogue(): Catalogue {
    if (this.#catalogueStale) this.#refreshCatalogue();
    return this.#catalogue;
  }

  status(): GatewayStatus {
    return { phase: this.#phase, upstreams: this.#upstreams.map((u) => u.status()) };
  }

  /** Set plugins up, listen (unless `listen: false`), connect upstreams; stop everything if any step fails. */
  async start(options: { listen?: boolean } = {}): Promise<void> {
    await this.kernel.setup();
    this.#log.info(
      {
        hooks: this.kernel.describeHooks(),
        routes: this.kernel.routes.map((r) => `${r.method} ${r.path} (${r.plugin})`),
      },
      'plugin chain',
    );
    const { separator } = this.#options.config.proxy;
    if (!/^[A-Za-z0-9_-]+$/.test(separator)) {
      this.#log.warn(
        { separator },
        'tool names will contain characters some clients and LLM APIs reject (allowed: A-Z a-z 0-9 _ -)',
      );
    }
    try {
      this.#checkEndpointPaths();
      this.#assemble(await this.#requestStateKey());
      if (options.listen ?? true) await this.#listen();
      for (const upstream of this.#upstreams) upstream.start();
      await Promise.all(this.#upstreams.map((u) => u.firstAttempt));
      this.#refreshCatalogue();
      const [clash] = this.#catalogue.clashes;
      if (clash) throw clashError(clash);
      if (this.#stopping) return;
      this.#phase = 'ready';
      this.#announceReady();
      this.kernel.emit({ type: 'catalogue' });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stop gracefully: refuse new work, let in-flight operations finish, then close everything. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#phase = 'stopping';
    // Listen streams are no work in progress: they end at once, with their result.
    await this.#stateless?.end();
    const server = this.#server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    if (!(await this.inFlight.drained(this.#options.config.shutdown.timeout))) {
      this.#log.warn({ inFlight: this.inFlight.count }, 'shutdown timeout reached; cancelling in-flight requests');
      this.#cancel.abort(
        new GatewayError(ErrorCodes.UNAVAILABLE, 'the gateway is shutting down', {
          rpcCode: RpcCodes.CONNECTION_CLOSED,
        }),
      );
      await this.inFlight.drained(CANCEL_FLUSH_MS);
    }
    await this.#sessions?.closeAll(this.kernel.services.get('session-bus') !== undefined);
    await this.#bridge?.stop();
    server?.closeAllConnections();
    await Promise.all(this.#upstreams.map((u) => u.stop()));
    for (const error of await this.kernel.shutdown()) this.#log.error({ err: error }, error.message);
    await closed;
  }

  /**
   * The key that signs `requestState`s: the configured one, else the one the replicas sharing a
   * session store agree on, else this replica's own.
   */
  async #requestStateKey(): Promise<string> {
    const configured = this.#options.config.stateless.request_state_key;
    if (configured) return configured;
    const proposed = randomBytes(32).toString('base64url');
    const store = this.kernel.services.get('session-store');
    return (await store?.sharedSecret?.('request-state-key', proposed)) ?? proposed;
  }

  #assemble(requestStateKey: string): void {
    const { config, plan, logger } = this.#options;
    const subscriptions = this.#subscriptions;
    this.#upstreams = plan.servers.map((server) => this.#createUpstream(server));
    const bus = this.kernel.services.get('session-bus');
    const sessions = new SessionRegistry({
      store: this.kernel.services.get('session-store') ?? new MemorySessionStore(),
      idleTtlMs: config.sessions.idle_ttl,
      max: config.sessions.max,
      logger,
      cancel: this.#cancel.signal,
      bus,
      endUpstreamSession: async (name, sessionId) => {
        const upstream = this.#byName.get(name);
        if (upstream) await (await upstream.openChannel(undefined, sessionId)).close();
      },
    });
    this.#sessions = sessions;
    // What 2026-07-28 clients echo back (a requestState, a task id) is signed with the replicas' key.
    const seal = new RequestStateSeal(requestStateKey, config.stateless.input_timeout);
    const tasks = new TaskIds(seal);
    const served = (this.#served = new ServedTools(
      this.kernel.tools,
      plan.servers.map((server) => server.name),
    ));
    const operations = {
      inFlight: this.inFlight,
      onOperation: (event: OperationEvent, log: Logger) => this.#operation(event, log),
    };
    const proxy: McpProxy = new McpProxy({
      kernel: this.kernel,
      served: (server, tool) => served.find(server, tool),
      nested: (method, params, scope, runtime, sessionId) =>
        runOperation({ proxy, ...operations }, method, params, scope, runtime, sessionId),
      catalogue: () => this.catalogue,
      view: (endpoint) => this.#views.view(this.catalogue, endpoint),
      serves: (endpoint, server) => this.#views.serves(endpoint, server),
      upstream: (name) => this.#byName.get(name),
      upstreams: () => this.#upstreams,
      prefixes: this.#prefixes,
      separator: config.proxy.separator,
      pageSize: config.proxy.page_size,
      subscriptions,
      tasks,
    });
    const policy = this.kernel.services.get('origin-policy');
    const allowOrigin = policy
      ? (origin: string | undefined) => policy.allows(origin)
      : originMatcher(defaultOrigins(config, this.baseUrl));
    const stateless = (this.#stateless = new StatelessServer({
      proxy,
      inFlight: this.inFlight,
      onOperation: (event, log) => this.#operation(event, log),
      serverInfo: { name: gatewayName, version: gatewayVersion },
      discover: (endpoint) => ({
        capabilities: advertisedCapabilities(this.#upstreamsOf(endpoint)),
        instructions: this.#instructions(endpoint),
      }),
      cancel: this.#cancel.signal,
      router: (this.#bridge = new InputBridge({
        seal,
        tasks,
        holdMs: config.stateless.input_timeout,
        bus,
        logger,
      })),
    }));
    const shared: Omit<McpEndpointOptions, 'endpoint'> = {
      sessions,
      stateless,
      onMessage: (terminal) => this.kernel.operation('onMcpMessage', terminal),
      onAnswered: (event, log) => this.#operation(event, log),
      target: (message, endpoint) => proxy.target(message, endpoint),
      allowOrigin,
      accepting: () => this.#phase !== 'stopping',
      createSession: (endpoint, subject, protocolVersion, restore) =>
        new DownstreamSession({
          endpoint,
          subject,
          protocolVersion,
          restore,
          bus,
          ...(bus && {
            onUpstreamSession: (session: DownstreamSession, server: string, state: UpstreamSessionState) =>
              void sessions.rememberUpstream(session.id!, server, state),
          }),
          proxy,
          inFlight: this.inFlight,
          cancel: this.#cancel.signal,
          serverInfo: { name: gatewayName, version: gatewayVersion },
          capabilities: advertisedCapabilities(this.#upstreamsOf(endpoint)),
          instructions: this.#instructions(endpoint),
          eventStore: new BoundedEventStore(),
          logger,
          onInitialized: async (session) => {
            await sessions.add(session, {
              id: session.id!,
              subject,
              endpoint,
              protocolVersion,
              clientInfo: session.hello?.clientInfo,
              clientCapabilities: session.hello?.capabilities,
              createdAt: restore?.createdAt ?? Date.now(),
              ...(restore?.upstreamSessions && { upstreamSessions: restore.upstreamSessions }),
            });
            this.kernel.emit({ type: 'session', action: 'open', sessionId: session.id!, subject });
          },
          onClosed: (session, how) => {
            const ended = sessions.remove(session, how);
            subscriptions.forget(session.peer, (name) => this.#byName.get(name));
            if (session.id) this.kernel.emit({ type: 'session', action: 'close', sessionId: session.id, subject });
            return ended;
          },
          onOperation: (event, log) => this.#operation(event, log),
        }),
    };
    this.#app = createApp({
      kernel: this.kernel,
      inFlight: this.inFlight,
      logger,
      mcp: this.#endpoints.map(({ name, path }) => ({ path, handler: mcpEndpoint({ ...shared, endpoint: name }) })),
      maxBodyBytes: config.server.max_body_size,
    });
  }

  /** An endpoint on a plugin's route would shadow it, or be shadowed: refused at boot. */
  #checkEndpointPaths(): void {
    for (const { name, path } of this.#endpoints) {
      const route = this.kernel.routes.find((r) => r.path === path);
      if (route)
        throw new GatewayError(
          ErrorCodes.CONFIG,
          `endpoint "${name}": path ${path} is a route of plugin ${route.plugin}; give endpoints.${name}.path another path`,
        );
    }
  }

  /** The upstreams whose items an endpoint serves. */
  #upstreamsOf(endpoint: string): readonly Upstream[] {
    return this.#upstreams.filter((u) => this.#views.serves(endpoint, u.name));
  }

  /** The `instructions` an endpoint's clients get: its servers only. */
  #instructions(endpoint: string): string {
    const { plan, config } = this.#options;
    return describeServers(
      plan.servers.filter((s) => this.#views.serves(endpoint, s.name)),
      config.proxy.separator,
    );
  }

  #createUpstream(server: PlannedServer): Upstream {
    const upstream = new Upstream({
      server: { name: server.name, type: server.type, connection: server.settings, baseDir: this.#options.baseDir },
      prefix: server.prefix,
      required: server.required,
      protocol: server.protocol,
      policy: server.policy,
      transport: this.kernel.services.use(`transport:${server.type}`, 'kernel'),
      logger: this.#options.logger.child({ plugin: server.plugin, server: server.name }),
      clientInfo: { name: gatewayName, version: gatewayVersion },
    });
    upstream.oncataloguechange = () => this.#catalogueChanged();
    upstream.onstatechange = (state, previous, error) =>
      this.kernel.emit({
        type: 'upstream',
        server: server.name,
        state,
        previous,
        error,
        ...(state === 'ready' && { protocolVersion: upstream.protocolVersion }),
      });
    upstream.onresourceupdated = (uri, notification) => {
      // A 2026-07-28 upstream stamps it with the gateway's own listen stream, which no client knows.
      const { _meta, ...params } = notification.params ?? {};
      const { [META.subscriptionId]: _, ...meta } = (_meta ?? {}) as Record<string, unknown>;
      const exposed = {
        ...notification,
        params: {
          ...params,
          uri: this.catalogue.exposeUri(server.name, uri),
          ...(Object.keys(meta).length > 0 && { _meta: meta }),
        },
      };
      for (const subscriber of this.#subscriptions.subscribers(server.name, uri)) void subscriber.notify(exposed);
    };
    this.#byName.set(server.name, upstream);
    this.#prefixes.set(server.name, server.prefix);
    return upstream;
  }

  /**
   * Apply a new configuration without a restart: upstreams added, removed or replaced (when their
   * settings changed), plugins given their new options (those with `onReload`), sessions kept, and
   * clients whose catalogue may have changed told with `list_changed`. Other changes take a
   * restart; they are returned, not applied. Throws, changing nothing, when the new configuration
   * needs a transport that is not loaded.
   */
  async reload(next: {
    config: GatewayConfig;
    plan: GatewayPlan;
  }): Promise<PlanDiff & { readonly reloadedPlugins: readonly string[] }> {
    const at = new Date().toISOString();
    if (this.#phase !== 'ready')
      throw new GatewayError(ErrorCodes.UNAVAILABLE, `the gateway is ${this.#phase}; reload when it is ready`);
    const diff = diffPlans(this.#options, next);
    for (const server of [...diff.added, ...diff.changed]) {
      if (!this.kernel.services.get(`transport:${server.type}`)) {
        throw new GatewayError(
          ErrorCodes.CONFIG,
          `server "${server.name}" uses type "${server.type}", whose transport plugin is not loaded; restart the gateway to load it`,
        );
      }
    }
    const replaced = new Set([...diff.removed, ...diff.changed.map((server) => server.name)]);
    const retired = [...replaced].flatMap((name) => this.#byName.get(name) ?? []);
    for (const name of replaced) {
      this.#byName.delete(name);
      this.#prefixes.delete(name);
    }
    const fresh = [...diff.added, ...diff.changed].map((server) => this.#createUpstream(server));
    // The new plan's order, which decides who keeps a clashing name.
    this.#upstreams = next.plan.servers.map((server) => this.#byName.get(server.name)!);
    // Each client's links to a retired server are dropped now (its next request links to the new
    // one) and closed before that server stops, while their connections still work.
    const unlinked = Promise.all([...replaced].map((name) => this.#sessions?.unlink(name)));
    // Servers first: a plugin taking new options (a rule naming a new server) sees the new list.
    const needRestart = [...diff.needRestart];
    const reloadedPlugins: string[] = [];
    for (const plugin of diff.reconfigured) {
      const { name } = plugin.definition;
      try {
        if (await this.kernel.reload(name, plugin.options)) reloadedPlugins.push(name);
        else needRestart.push(`plugin ${name}: options`);
      } catch (error) {
        this.#log.error(
          { err: error, plugin: name },
          `plugin ${name} refused its new options; it keeps the ones it had`,
        );
        needRestart.push(`plugin ${name}: options (refused)`);
      }
    }
    // What runs now, for the next reload's comparison: the new servers, and the new options of the
    // plugins that took them (the others still run with their old ones).
    const applied = new Map(
      diff.reconfigured.filter((p) => reloadedPlugins.includes(p.definition.name)).map((p) => [p.definition.name, p]),
    );
    const plugins = this.#options.plan.plugins.map((p) => applied.get(p.definition.name) ?? p);
    this.#options = { ...this.#options, plan: { plugins, servers: next.plan.servers } };
    this.#refreshCatalogue();
    // A plugin's new options (permissions, say) may change what each client sees in every list.
    if (reloadedPlugins.length)
      for (const kind of ['tools', 'prompts', 'resources'] as const)
        this.#listChanged(
          kind,
          this.#endpoints.map((e) => e.name),
        );
    for (const upstream of fresh) upstream.start();
    await unlinked;
    await Promise.all(retired.map((upstream) => upstream.stop()));
    await Promise.all(fresh.map((upstream) => upstream.firstAttempt));
    this.#lastReload = { at, applied: true, notApplied: needRestart };
    return { ...diff, needRestart, reloadedPlugins };
  }

  /** A reload that changed nothing (the file did not load, or `reload` refused it), for `GatewayView.plan()`. */
  reloadRefused(reason: string): void {
    this.#lastReload = { at: new Date().toISOString(), applied: false, refused: reason };
  }

  #runningPlan(): RunningPlan {
    return {
      plugins: this.#options.plan.plugins.map(({ definition, from }) => ({
        name: definition.name,
        version: definition.version,
        from,
      })),
      configFile: this.#options.configFile,
      startedAt: this.#startedAt,
      lastReload: this.#lastReload,
    };
  }

  /**
   * The event for observers, and one access line per MCP operation, once the answer is on its way
   * (see after-answer.ts): delivering and formatting them would otherwise delay every reply.
   */
  #operation(event: OperationEvent, log: Logger): void {
    afterAnswer(() => {
      this.kernel.emit(event);
      this.#accessLine(event, log);
    });
  }

  #accessLine(event: OperationEvent, log: Logger): void {
    const { target } = event;
    log.info(
      {
        session_id: event.sessionId,
        // Named only off `/mcp`: most gateways have no other endpoint, and the line is the hot path's.
        ...(event.endpoint !== DEFAULT_ENDPOINT && { endpoint: event.endpoint }),
        method: event.method,
        server: target?.server,
        ...(target && { [target.kind]: target.name }),
        subject: event.subject,
        duration_ms: Math.round(event.durationMs * 100) / 100,
        outcome: event.outcome,
        ...(event.reason && { reason: event.reason }),
      },
      'mcp operation',
    );
  }

  async #listen(): Promise<void> {
    const { host, port } = this.#options.config.server;
    const server = serve({ fetch: this.app.fetch, hostname: host, port }) as HttpServer;
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new GatewayError(
            ErrorCodes.LISTEN,
            `cannot listen on ${host}:${port}: ${error.code ?? error.message} (free the port, or choose another with --port)`,
            {
              cause: error,
            },
          ),
        ),
      );
    });
    const bound = server.address() as AddressInfo;
    this.#port = bound.port;
    this.#listeningOn = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    this.#log.info({ address: this.#listeningOn, mcp: MCP_PATH }, 'listening');
  }

  /**
   * The one line that says where to connect. The host is the address bound, not a guess: for
   * 0.0.0.0 (every interface) it says so, since the machine's name may not resolve for clients
   * (a container's is its id), and `server.url`, when set, is the operator's own public address.
   */
  #announceReady(): void {
    const url = `${this.#listeningOn ?? this.baseUrl}${MCP_PATH}`;
    const { upstreams } = this.status();
    const ready = upstreams.filter((u) => u.state === 'ready').length;
    const servers = counted(upstreams.length, 'server');
    const tools = this.#catalogue.tools.length;
    // Where the clients of the other endpoints connect: beside /mcp's URL, not instead.
    const endpoints = this.#endpoints.slice(1).map((e) => `${e.name}:${e.path}`);
    this.#log.info(
      {
        url,
        tools,
        upstreams: upstreams.map((u) => `${u.name}:${u.state}`),
        ...(endpoints.length > 0 && { endpoints }),
      },
      `mcp-gateway ready: ${url} (${ready === upstreams.length ? servers : `${ready} of ${servers} ready`}, ${counted(tools, 'tool')})`,
    );
  }

  /**
   * An upstream's lists or state changed. The catalogue is rebuilt when next read, and once ready
   * at the latest on the next turn: upstreams that change together (a storm of `list_changed`, a
   * network failure) cost one rebuild, not one each.
   */
  #catalogueChanged(): void {
    this.#catalogueStale = true;
    if (this.#phase !== 'ready' || this.#refreshing) return;
    this.#refreshing = true;
    setImmediate(() => {
      this.#refreshing = false;
      if (this.#catalogueStale && this.#phase === 'ready') this.#refreshCatalogue();
    });
  }

  /** Rebuild the catalogue from the ready upstreams; tell clients which lists changed. */
  #refreshCatalogue(): void {
    this.#catalogueStale = false;
    const previous = this.#catalogue;
    const listed = (u: Upstream) => u.state === 'ready' || (u.policy.whenDown === 'error' && u.state !== 'closed');
    const sources = [...this.#served.sources, ...this.#upstreams.filter(listed).map((u) => this.#shaped(u))];
    const next = new Catalogue(sources, this.#options.config.proxy.separator, previous);
    this.#catalogue = next;
    for (const clash of next.clashes) {
      if (!previous.clashes.some((c) => c.kind === clash.kind && c.name === clash.name)) {
        this.#log.error({ clash }, clashError(clash).message);
      }
    }
    if (this.#phase !== 'ready') return;
    const changed = (
      kind: ListKind,
      ...pairs: [readonly CatalogueItem<unknown>[], readonly CatalogueItem<unknown>[]][]
    ) => (pairs.every(([a, b]) => sameItems(a, b)) ? [] : [kind]);
    // Each endpoint's clients hear of a change only when their own view of that list changed.
    const heard = new Map<ListKind, string[]>();
    for (const { name } of this.#endpoints) {
      const before = this.#views.view(previous, name);
      const after = this.#views.view(next, name);
      const kinds: ListKind[] = [
        ...changed('tools', [before.tools, after.tools]),
        ...changed('prompts', [before.prompts, after.prompts]),
        ...changed(
          'resources',
          [before.resources, after.resources],
          [before.resourceTemplates, after.resourceTemplates],
        ),
      ];
      for (const kind of kinds) heard.set(kind, [...(heard.get(kind) ?? []), name]);
    }
    for (const [kind, endpoints] of heard) this.#listChanged(kind, endpoints);
    this.kernel.emit({ type: 'catalogue' });
  }

  /**
   * An upstream's lists through the `onCatalogue` hooks. A hook that fails withholds the server's
   * lists (fail closed: a broken filter must not reveal what it was meant to hide).
   */
  #shaped(upstream: Upstream): CatalogueSource {
    const lists = upstreamLists(upstream.name, upstream.state === 'ready', upstream.catalogue);
    try {
      return { name: upstream.name, prefix: upstream.prefix, lists: this.kernel.shapeCatalogue(lists) };
    } catch (error) {
      this.#log.error({ err: error, server: upstream.name }, `the lists of server "${upstream.name}" are withheld`);
      const empty = { ...lists, tools: [], prompts: [], resources: [], resourceTemplates: [] };
      return { name: upstream.name, prefix: upstream.prefix, lists: empty };
    }
  }

  /**
   * Tell the clients of both eras on an endpoint that a list may have changed: its sessions, and
   * the stateless listeners (each compares what it sees, so hears only of its own endpoint's change).
   */
  #listChanged(kind: ListKind, endpoints: readonly string[]): void {
    for (const endpoint of endpoints) this.#sessions?.broadcast(kind, endpoint);
    this.#stateless?.changed(kind);
  }
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The kernel's Origin allow list: `server.allowed_origins`, else loopback and the gateway's own origin. */
const defaultOrigins = (config: GatewayConfig, baseUrl: string): string[] =>
  config.server.allowed_origins ?? defaultAllowedOrigins(baseUrl);

/**
 * What the gateway offers a client at `initialize` (and `server/discover`): tools always (its list
 * may be empty), and prompts, resources (with subscriptions), completions and logging when some
 * upstream offers them, and the extensions the upstreams declare (the first one's settings of each).
 */
function advertisedCapabilities(upstreams: readonly Upstream[]): ServerCapabilities {
  const known = upstreams.flatMap((u) => u.capabilities ?? []);
  const any = (test: (c: ServerCapabilities) => unknown) => known.some(test);
  const extensions: Record<string, object> = Object.assign({}, ...known.map((c) => c.extensions ?? {}).reverse());
  return {
    ...(Object.keys(extensions).length > 0 && { extensions }),
    tools: { listChanged: true },
    ...(any((c) => c.prompts) && { prompts: { listChanged: true } }),
    ...(any((c) => c.resources) && {
      resources: { listChanged: true, ...(any((c) => c.resources?.subscribe) && { subscribe: true }) },
    }),
    ...(any((c) => c.completions) && { completions: {} }),
    ...(any((c) => c.logging) && { logging: {} }),
  };
}

function clashError(clash: NameClash): GatewayError {
  const named = clash.claimants.map((c) =>
    c.renamedFrom === undefined ? `"${c.server}"` : `"${c.server}" (renaming "${c.renamedFrom}")`,
  );
  const [owner, ...hidden] = named;
  const renamed = clash.claimants.some((c) => c.renamedFrom !== undefined);
  return new GatewayError(
    ErrorCodes.NAME_CLASH,
    `${clash.kind} "${clash.name}" is exposed by ${named.join(' and ')}; ` +
      `${owner} keeps it${hidden.length ? `, ${hidden.join(', ')} lose it` : ''}. ` +
      (renamed
        ? 'Rename to distinct names, or give the servers distinct prefixes (proxy.servers[].prefix)'
        : 'Give the servers distinct prefixes (proxy.servers[].prefix)'),
  );
}

/** The `instructions` of the gateway's initialize result: which servers are behind it, and how names map. */
function describeServers(servers: readonly PlannedServer[], separator: string): string {
  if (servers.length === 0) return 'This MCP gateway has no upstream servers configured.';
  const lines = servers.map((s) =>
    s.prefix === ''
      ? `- ${s.name}: tools and prompts keep their own names`
      : `- ${s.name}: tools and prompts are named "${s.prefix}${separator}<name>"`,
  );
  return `This MCP gateway aggregates ${servers.length} MCP server${servers.length > 1 ? 's' : ''}:\n${lines.join('\n')}`;
}
