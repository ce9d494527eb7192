/**
 * `mcp-gateway/testing`: a gateway in the test's own process, in the spirit of Hono's
 * `app.request()` and Fastify's `inject()`. Start one with the plugins under test and upstream
 * servers (MCP servers made in the test, or any configured server: a command, a URL), send it
 * requests or connect the MCP SDK's client to it, all without a port; then close it.
 *
 *   const gateway = await startTestGateway({ plugins: [myPlugin], servers: { echo: makeServer } });
 *   const client = await gateway.connect({ headers: { authorization: 'ApiKey k1' } });
 *   await client.callTool({ name: 'echo__echo', arguments: { text: 'hi' } });
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino, type Level } from 'pino';
import { Gateway } from '../engine/gateway.ts';
import { parseGatewayConfig } from '../boot/config/gateway-config.ts';
import type { PlanDiff } from '../boot/loader/plan-diff.ts';
import { planGateway, type GivenPlugin } from '../boot/loader/plan.ts';
import type { GatewayStatus, PluginDefinition } from '../kernel/plugin.ts';
import type { ClientCapabilities } from '../kernel/protocol.ts';
import { IN_PROCESS_TYPE, inProcessServers, type InProcessServer, type ServerFactory } from './in-process-servers.ts';

export type { InProcessServer, ServerFactory };

/** A plugin to load: its definition (a plugin module's default export), with options or not, or a `use:` string. */
export type TestPlugin = PluginDefinition | { readonly plugin: PluginDefinition; readonly options?: unknown } | string;

export interface TestGatewayOptions {
  /** The configuration, as the YAML file would hold it (`proxy.servers`, `plugins`, sections). */
  readonly config?: Record<string, unknown>;
  /** Loaded after those the configuration lists or implies, in this order. */
  readonly plugins?: readonly TestPlugin[];
  /**
   * Upstream servers made in this process, by name: each is added to `proxy.servers` and its
   * factory is called for every connection the gateway opens to it (one per client session).
   * A `proxy.servers` entry of the same name adds its keys (`prefix`, `upstream_sessions`, ...).
   */
  readonly servers?: Readonly<Record<string, ServerFactory>>;
  /** Where relative paths of the configuration and `use:` strings start (default: the working directory). */
  readonly baseDir?: string;
  /**
   * The TCP peer address requests come from, as Node's HTTP server would give it (plugins that
   * count or allow callers by address read it); by default requests have none. A request may give
   * its own (`TestRequestInit.remoteAddress`).
   */
  readonly remoteAddress?: string;
  /** The gateway's log level (default: `silent`; `MCP_GATEWAY_TEST_LOG` overrides it). */
  readonly logLevel?: Level | 'silent';
}

export interface TestRequestInit extends RequestInit {
  /** The TCP peer address of this request (default: the gateway's `remoteAddress`). */
  readonly remoteAddress?: string;
}

/** What a reload changed: servers added, removed and changed, plugins reconfigured, and what needs a restart. */
export interface ReloadReport extends PlanDiff {
  /** The plugins whose `onReload` took their new options. */
  readonly reloadedPlugins: readonly string[];
}

export interface ConnectOptions {
  /** Sent with every request: `authorization`, say. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly capabilities?: ClientCapabilities;
  readonly clientInfo?: { readonly name: string; readonly version: string };
  /** The MCP endpoint's path (default `/mcp`): another one of `endpoints:`. */
  readonly path?: string;
}

export interface TestGateway {
  /** The MCP endpoint's URL (nothing listens on it: requests are answered in-process). */
  readonly url: string;
  /** Answer a request in-process: a path (`/mcp`), a URL or a `Request`, as `fetch` takes them. */
  request(input: string | URL | Request, init?: TestRequestInit): Promise<Response>;
  /** `request` as a `fetch` function, for other HTTP clients. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** An MCP SDK client, initialized with the gateway over Streamable HTTP; closed with the gateway. */
  connect(options?: ConnectOptions): Promise<Client>;
  /** The gateway's phase and its upstreams' states. */
  status(): GatewayStatus;
  /** What a reload (SIGHUP) does with `config` as the new configuration file; the same plugins and servers are given. */
  reload(config: Record<string, unknown>): Promise<ReloadReport>;
  /** Close the clients, stop the gateway and the in-process servers. */
  close(): Promise<void>;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const baseDir = options.baseDir ?? process.cwd();
  const given = (options.plugins ?? []).map(givenPlugin);
  if (options.servers) given.push({ definition: inProcessServers(options.servers) });
  const plan = async (raw: Record<string, unknown>) => {
    const withServers = withInProcessServers(raw, Object.keys(options.servers ?? {}));
    const config = parseGatewayConfig(withServers);
    return {
      config,
      plan: await planGateway({ config, raw: withServers, baseDir, extraPlugins: given, cwd: baseDir }),
    };
  };
  const level = process.env.MCP_GATEWAY_TEST_LOG ?? options.logLevel ?? 'silent';
  const gateway = new Gateway({ ...(await plan(options.config ?? {})), baseDir, logger: pino({ level }) });
  await gateway.start({ listen: false });

  const clients = new Set<Client>();
  const request = (input: string | URL | Request, { remoteAddress, ...init }: TestRequestInit = {}) => {
    const peer = remoteAddress ?? options.remoteAddress;
    // Node's request as @hono/node-server passes it to the app, reduced to what a plugin may read of it.
    const node = peer === undefined ? undefined : { incoming: { socket: { remoteAddress: peer } } };
    return Promise.resolve(gateway.app.request(input instanceof URL ? input.href : input, init, node));
  };
  const url = gateway.view.urls.mcp;
  const close = async () => {
    await Promise.allSettled([...clients].map((client) => client.close()));
    await gateway.stop();
  };
  return {
    url,
    request,
    fetch: request,
    async connect({ headers = {}, capabilities = {}, clientInfo, path } = {}) {
      const client = new Client(clientInfo ?? { name: 'mcp-gateway-testing', version: '1.0.0' }, { capabilities });
      const transport = new StreamableHTTPClientTransport(new URL(path ?? url, url), {
        fetch: request,
        requestInit: { headers: { ...headers } },
      });
      await client.connect(transport);
      clients.add(client);
      client.onclose = () => clients.delete(client);
      return client;
    },
    status: () => gateway.status(),
    reload: async (config) => gateway.reload(await plan(config)),
    close,
  };
}

function givenPlugin(plugin: TestPlugin): GivenPlugin | string {
  if (typeof plugin === 'string') return plugin;
  if ('setup' in plugin) return { definition: plugin };
  return 'options' in plugin ? { definition: plugin.plugin, options: plugin.options } : { definition: plugin.plugin };
}

/** `raw` with an entry in `proxy.servers` for each in-process server, before the configuration's own. */
function withInProcessServers(raw: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  if (names.length === 0) return raw;
  const proxy = (raw.proxy ?? {}) as Record<string, unknown>;
  const listed = (Array.isArray(proxy.servers) ? proxy.servers : []) as { name?: unknown }[];
  // An in-process server listed by name keeps its other keys (a `prefix`, say).
  const given = (name: string) => listed.find((entry) => entry.name === name);
  return {
    ...raw,
    proxy: {
      ...proxy,
      servers: [
        ...names.map((name) => ({ name, type: IN_PROCESS_TYPE, ...given(name) })),
        ...listed.filter((entry) => typeof entry.name !== 'string' || !names.includes(entry.name)),
      ],
    },
  };
}
