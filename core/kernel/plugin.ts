/**
 * The plugin contract. A plugin is a value: a name, a version, a zod schema for its options, and
 * a `setup` function that receives a context and returns the hooks it wants. Built-in plugins
 * are written exactly like third-party ones.
 *
 * Lifecycle (in list order): the loader resolves the module and validates the options against
 * `configSchema` (before anything starts, so `mcp-gateway validate` catches every mistake), then
 * the kernel calls `setup` with a timeout. If any setup fails, the `onShutdown` hooks of the
 * plugins already set up run in reverse order and the gateway exits with an error naming the
 * plugin. On a normal stop, every `onShutdown` runs in reverse order.
 */
import type { Handler } from 'hono';
import type { z } from 'zod';
import type { GatewayConfig } from '../kernel/config/schema.ts';
import type {
  GatewayEnv,
  Logger,
  PromptItem,
  ResourceItem,
  ResourceTemplateItem,
  RouteAuth,
  ToolItem,
} from './context.ts';
import type { PluginHooks } from './hooks.ts';
import type { Tool } from './protocol.ts';
import type { ServedToolHandler } from './served-tool.ts';
import type { ServiceName, Services } from './services.ts';
import type { UpstreamStatus } from './upstream-status.ts';

/**
 * The kernel API version; a plugin's `kernel` range is checked against it at load. 1.1 added
 * `GatewayView.eventsDelivered` and `RequestCancellation` (the type of a transport request's
 * `cancellation`); 1.2, upstreams of the 2026-07-28 era: what a transport does with their
 * requests (`UpstreamChannel.request`), `UpstreamChannel.oneExchangePerRequest`, and
 * `UpstreamStatus.protocolVersion` and `UpstreamEvent.protocolVersion`; and `RetryParams` (the
 * answers and state a multi-round retry brings); 1.3, read-only views for dashboards:
 * `GatewayView.catalogue()`, `plan()` and `sessions()`, `UpstreamStatus.heartbeatMs` and `retryAt`, and the
 * `permissions` service's contract (`PermissionsService`); 1.4, the `onCatalogue` hook (each
 * upstream's lists shaped where the catalogue is built: filters and renames) and `UpstreamLists`;
 * 1.5, tools a plugin serves itself (`SetupContext.serveTool`, `CallerTools`) and
 * `OperationEvent.via`; virtual endpoints: `OperationContext.endpoint`, `McpMessageContext.endpoint`,
 * `GatewayView.endpoints()`, `GatewayView.catalogue(endpoint)`, `OperationEvent.endpoint`, the
 * `catalogue` event and the
 * `permissions` service's `endpoint` argument.
 */
export const KERNEL_API_VERSION = '1.5.0';

/** Declares that a plugin connects to upstream servers of one `type:`. */
export interface TransportDeclaration<Settings extends z.ZodType = z.ZodType> {
  /** The `type:` of the `proxy.servers` entries this plugin serves. */
  readonly type: string;
  /**
   * Validates the transport's keys of a server entry (`connection:`, `auth:`, ...). The kernel's
   * keys (`name`, `type`, `prefix`, `required`, `reconnect`, `connection.timeout`) are removed first.
   */
  readonly schema: Settings;
  /**
   * The default session mode of its servers: `per-client` when an upstream session is cheap (HTTP),
   * so each client gets its own and server-to-client requests reach the right client; `shared`
   * (the default) when it is not (a child process). A server's `upstream_sessions` overrides it.
   */
  readonly sessions?: 'per-client' | 'shared';
}

export interface PluginDefinition<Options extends z.ZodType = z.ZodType, Settings extends z.ZodType = z.ZodType> {
  /** Unique in a gateway; by convention the built-in folder name or the npm package name. */
  readonly name: string;
  readonly version: string;
  /** A semver range of the kernel API this plugin was written for (see `KERNEL_API_VERSION`). */
  readonly kernel?: string;
  /** Plugins that must be loaded before this one (their names). */
  readonly requires?: readonly string[];
  /**
   * The top-level config section(s) holding this plugin's options when its `plugins:` entry gives
   * none, e.g. `cors` for the `cors:` section. With several sections, the options are an object
   * keyed by section name. A section is an error unless some loaded plugin claims it.
   */
  readonly section?: string | readonly string[];
  /** Validates the options. Use a strict object so that a misspelt option is an error. */
  readonly configSchema?: Options;
  readonly transport?: TransportDeclaration<Settings>;
  /** Milliseconds `setup` may take (default 10 s). */
  readonly setupTimeout?: number;
  setup(
    ctx: SetupContext<z.output<Options>>,
  ): PluginHooks<z.output<Options>> | void | Promise<PluginHooks<z.output<Options>> | void>;
}

/** Identity function that exists for types: `export default definePlugin({...})`. */
export function definePlugin<Options extends z.ZodType = z.ZodType, Settings extends z.ZodType = z.ZodType>(
  definition: PluginDefinition<Options, Settings>,
): PluginDefinition<Options, Settings> {
  return definition;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';

export interface RouteOptions {
  /** `none` tells auth plugins to let requests through (health checks, discovery documents). */
  readonly auth?: RouteAuth;
  /** The route's name in logs and metrics (default: the path). */
  readonly name?: string;
  /**
   * Asked for by machines on a schedule (health probes, metrics scrapes): its access line is
   * logged at debug, so that a probe every few seconds does not bury the info log.
   */
  readonly polled?: boolean;
}

/** Routes outside the MCP endpoint: `/live`, `/metrics`, `/.well-known/...`. */
export interface HttpRoutes {
  route(method: HttpMethod, path: string, handler: Handler<GatewayEnv>, options?: RouteOptions): void;
}

export type GatewayPhase = 'starting' | 'ready' | 'stopping';

export interface GatewayStatus {
  readonly phase: GatewayPhase;
  readonly upstreams: readonly UpstreamStatus[];
}

/**
 * Everything the upstreams expose, under the names clients see, before any plugin's list hook
 * filters it per caller (kernel API 1.3); since 1.4, as the `onCatalogue` hooks shaped it. Each
 * item has its server and its original name (the upstream's, also when renamed).
 */
export interface CatalogueView {
  readonly tools: readonly ToolItem[];
  readonly prompts: readonly PromptItem[];
  readonly resources: readonly ResourceItem[];
  readonly resourceTemplates: readonly ResourceTemplateItem[];
}

/** A plugin of the running chain, in load order. */
export interface RunningPlugin {
  readonly name: string;
  readonly version: string;
  /** Where it was asked for: `plugins[2]`, `--plugins`, `implied`, `in-process`. */
  readonly from: string;
}

/** The last configuration reload: what it could not apply (it takes a restart), or why it was refused. */
export type ReloadOutcome =
  | { readonly at: string; readonly applied: true; readonly notApplied: readonly string[] }
  | { readonly at: string; readonly applied: false; readonly refused: string };

/** What the gateway runs (kernel API 1.3): no option values, which may hold secrets. */
export interface RunningPlan {
  readonly plugins: readonly RunningPlugin[];
  /** The configuration file, when the gateway was started from one. */
  readonly configFile: string | undefined;
  /** When the gateway started (ISO 8601). */
  readonly startedAt: string;
  readonly lastReload: ReloadOutcome | undefined;
}

/** The open downstream sessions of this replica (kernel API 1.3): counts only, never their ids. */
export interface SessionCounts {
  readonly open: number;
  /** By the protocol version each session agreed (2025 era; 2026-07-28 clients open no sessions). */
  readonly byProtocolVersion: Readonly<Record<string, number>>;
  /** By principal subject; anonymous sessions under the empty string. */
  readonly bySubject: Readonly<Record<string, number>>;
  /** `memory`, or `shared` when a plugin provides the `session-store` replicas share. */
  readonly store: 'memory' | 'shared';
  /** Ends of sessions the store could not record yet, retried until it can: above 0, the store is failing. */
  readonly unrecordedEnds: number;
}

/** One MCP endpoint the gateway serves (kernel API 1.5): `/mcp`, and each one under `endpoints:`. */
export interface EndpointInfo {
  /** `default` for `/mcp`; else its key under `endpoints:`. */
  readonly name: string;
  /** Its path, e.g. `/mcp/dev`. */
  readonly path: string;
  /** Its public URL: its OAuth resource identifier. */
  readonly url: string;
  /** The URL of its protected resource metadata (RFC 9728), for `WWW-Authenticate` challenges. */
  readonly resourceMetadata: string;
}

/** A read-only view of the running gateway. */
export interface GatewayView {
  readonly version: string;
  /**
   * The gateway's public base URL (`server.url`), its default MCP endpoint's URL (`/mcp`), and the
   * URL of that endpoint's protected resource metadata (RFC 9728), for `WWW-Authenticate`
   * challenges. The other endpoints' are in `endpoints()`.
   */
  readonly urls: { readonly base: string; readonly mcp: string; readonly resourceMetadata: string };
  status(): GatewayStatus;
  /**
   * Resolves once the events of the requests answered so far have reached the `onEvent` hooks
   * (kernel API 1.1).
   * Events are delivered in a batch once the answers are on their way, so a reader that must have
   * counted every earlier request (a metrics scrape) waits for this first.
   */
  eventsDelivered(): Promise<void>;
  /**
   * The exposed catalogue, unfiltered (kernel API 1.3): the same object until the catalogue
   * changes, so that a reader can tell a change by identity. With an endpoint's name (kernel API
   * 1.5), that endpoint's part of it (`endpoints.<name>.servers`, `tools`, ...).
   */
  catalogue(endpoint?: string): CatalogueView;
  /** The plugin chain, the configuration file and the last reload (kernel API 1.3). */
  plan(): RunningPlan;
  /** Counts of the open sessions (kernel API 1.3). */
  sessions(): SessionCounts;
  /**
   * The MCP endpoints, `default` (`/mcp`, the one `urls` names) first (kernel API 1.5): a plugin
   * configured with endpoint names checks them against these at setup.
   */
  endpoints(): readonly EndpointInfo[];
}

export interface SetupContext<Options = unknown> {
  /** This plugin's name. */
  readonly name: string;
  /** The validated options. */
  readonly options: Options;
  /** The kernel's configuration sections, validated and with defaults. */
  readonly config: GatewayConfig;
  /** The folder of the configuration file: resolve relative paths in options against it. */
  readonly baseDir: string;
  /** A pino logger bound to `{ plugin: name }`. */
  readonly logger: Logger;
  /** Aborted when setup times out or the boot is abandoned. */
  readonly signal: AbortSignal;
  readonly http: HttpRoutes;
  readonly gateway: GatewayView;
  /** Offer a service to the kernel and to plugins set up later. */
  provide<K extends ServiceName>(name: K, value: Services[K]): void;
  /** A service an earlier plugin provided; a boot error if none did. */
  use<K extends ServiceName>(name: K): Services[K];
  /**
   * An optional service, or undefined: call it when you need it (at request time it sees every
   * plugin's services, whatever the load order), e.g. `ctx.find('metrics')?.counter(...)`.
   */
  find<K extends ServiceName>(name: K): Services[K] | undefined;
  /**
   * Serve a tool (kernel API 1.5): it is listed and called as a tool of a server named after this
   * plugin, with no prefix, through every hook like an upstream's; `handler` answers its calls.
   * Its name must not clash with an exposed tool's (refused at boot like any clash).
   */
  serveTool(definition: Tool, handler: ServedToolHandler): void;
}
