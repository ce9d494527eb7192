/**
 * `mcp-gateway`: the plugin contract. What a plugin is (`definePlugin`), the hooks it may register
 * and what they see, its errors, the services plugins offer each other, and the contracts of the
 * services a plugin may provide (upstream transports, session stores, the replica bus); with `z`
 * and the units for its options' schema, and `LogThrottle` for its logger. The library plugin
 * authors build with sits behind subpaths (`mcp-gateway/http`, `/auth`, `/redis`, `/patterns`,
 * `/message-channel`), and the harness for their tests behind `mcp-gateway/testing`.
 * `import { definePlugin, z } from 'mcp-gateway'` works from a plugin file anywhere on disk.
 */
export { z } from 'zod';

export { definePlugin, KERNEL_API_VERSION } from './plugin.ts';
export type {
  CatalogueView,
  EndpointInfo,
  GatewayPhase,
  GatewayStatus,
  GatewayView,
  HttpMethod,
  HttpRoutes,
  PluginDefinition,
  ReloadOutcome,
  RouteOptions,
  RunningPlan,
  RunningPlugin,
  SessionCounts,
  SetupContext,
  TransportDeclaration,
} from './plugin.ts';

export { hookKinds } from './hooks.ts';
export type {
  CatalogueHook,
  HookEntry,
  HookKind,
  HookName,
  HookOrder,
  HookSignatures,
  ListHook,
  OperationHook,
  PluginHooks,
  ShutdownContext,
  ShutdownHook,
  ReloadContext,
  ReloadHook,
} from './hooks.ts';

export type {
  AuthFailureReason,
  CatalogueItem,
  ClientIdentity,
  GatewayContext,
  GatewayEnv,
  GatewayVariables,
  Logger,
  McpMessageContext,
  McpTarget,
  OperationContext,
  Principal,
  PromptGetContext,
  PromptItem,
  RequestHook,
  RequestState,
  ResourceItem,
  ResourceReadContext,
  RetryParams,
  ResourceTemplateItem,
  RouteAuth,
  RouteInfo,
  ToolCallContext,
  ToolItem,
  UpstreamLists,
} from './context.ts';
export type {
  AuthEvent,
  CatalogueEvent,
  EventHook,
  GatewayEvent,
  HttpEvent,
  OperationEvent,
  OperationFailure,
  RequestedItem,
  SessionEvent,
  UpstreamEvent,
} from './events.ts';
export type { UpstreamState, UpstreamStatus } from './upstream-status.ts';
export type { CallerTools, ServedTool, ServedToolHandler, ToolCallParams } from './served-tool.ts';

export { ErrorCodes, GatewayError, RpcCodes, RpcError } from './errors.ts';
export type { ErrorCode, GatewayErrorOptions } from './errors.ts';

export type {
  MetricLabels,
  MetricsService,
  OriginPolicy,
  PermissionDecision,
  PermissionItemKind,
  PermissionsService,
  ServiceName,
  Services,
} from './services.ts';
export type { ClientAnswer, ReplicaMessage, SessionBus } from './session-bus.ts';
export type { SessionRecord, SessionStore, UpstreamSessionState } from './session-store.ts';
export type {
  ChannelRequestOptions,
  RequestCancellation,
  TransportContext,
  TransportFactory,
  UpstreamChannel,
  UpstreamServer,
} from './transport.ts';

export type { GatewayConfig } from './config/schema.ts';
export type { ImpliedPlugins } from './planned-plugin.ts';
export { duration, formatDuration, size } from './config/units.ts';
export { LogThrottle } from './log-throttle.ts';

export * from './protocol.ts';
