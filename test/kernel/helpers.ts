/** Shared scaffolding for the kernel tests: a Kernel built straight from plugin definitions. */
import { pino } from 'pino';
import { parseGatewayConfig } from '../../core/boot/config/gateway-config.ts';
import type { CallToolResult, OperationContext, ToolCallContext } from '../../core/kernel/context.ts';
import type { GatewayError } from '../../core/kernel/errors.ts';
import type { PluginHooks } from '../../core/kernel/hooks.ts';
import { Kernel } from '../../core/runner/kernel.ts';
import type { PlannedPlugin } from '../../core/kernel/planned-plugin.ts';
import { definePlugin, type GatewayView, type PluginDefinition, type SetupContext } from '../../core/kernel/plugin.ts';

export const gateway: GatewayView = {
  version: '0',
  urls: {
    base: 'http://x',
    mcp: 'http://x/mcp',
    resourceMetadata: 'http://x/.well-known/oauth-protected-resource/mcp',
  },
  status: () => ({ phase: 'ready', upstreams: [] }),
  eventsDelivered: () => Promise.resolve(),
  catalogue: () => ({ tools: [], prompts: [], resources: [], resourceTemplates: [] }),
  plan: () => ({ plugins: [], configFile: undefined, startedAt: '2026-01-01T00:00:00.000Z', lastReload: undefined }),
  sessions: () => ({ open: 0, byProtocolVersion: {}, bySubject: {}, store: 'memory', unrecordedEnds: 0 }),
  endpoints: () => [
    {
      name: 'default',
      path: '/mcp',
      url: 'http://x/mcp',
      resourceMetadata: 'http://x/.well-known/oauth-protected-resource/mcp',
    },
  ],
};

export function planned(definition: PluginDefinition, options: unknown = {}): PlannedPlugin {
  return { definition, options, origin: 'path', file: 'test', from: 'test' };
}

/** A plugin named `name` whose setup returns `hooks` (or runs `setup` when given a function). */
export function plugin(
  name: string,
  hooks: PluginHooks | ((ctx: SetupContext) => PluginHooks | void | Promise<PluginHooks | void>) = {},
  extra: Partial<Omit<PluginDefinition, 'name' | 'setup'>> = {},
): PluginDefinition {
  return definePlugin({ name, version: '1.0.0', ...extra, setup: typeof hooks === 'function' ? hooks : () => hooks });
}

export function makeKernel(...definitions: (PluginDefinition | PlannedPlugin)[]): Kernel {
  return new Kernel({
    plugins: definitions.map((d) => ('definition' in d ? d : planned(d))),
    config: parseGatewayConfig({}),
    baseDir: '/tmp',
    logger: pino({ level: 'silent' }),
    gateway,
  });
}

/** A kernel already set up with the given plugins. */
export async function bootKernel(...definitions: PluginDefinition[]): Promise<Kernel> {
  const kernel = makeKernel(...definitions);
  await kernel.setup();
  return kernel;
}

export function operationCtx(): OperationContext {
  return {
    method: 'tools/list',
    requestId: 'req-1',
    sessionId: undefined,
    endpoint: 'default',
    principal: undefined,
    client: { info: undefined, capabilities: undefined, protocolVersion: undefined },
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    state: {},
  };
}

export function toolCtx(args: Record<string, unknown> = { a: 1 }): ToolCallContext {
  return {
    ...operationCtx(),
    method: 'tools/call',
    server: 'srv',
    params: { name: 'srv_echo', arguments: args },
    tool: 'echo',
    name: 'srv_echo',
    definition: { name: 'srv_echo', inputSchema: { type: 'object' } },
    arguments: args,
    upstreamHeaders: {},
  };
}

export const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/** Settle a promise that should reject, returning the rejection for detailed assertions. */
export async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
