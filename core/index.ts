/**
 * The public API of mcp-gateway: everything a plugin author needs, and nothing else.
 * `import { definePlugin, z } from 'mcp-gateway'` works from a plugin file anywhere on disk.
 */
export { z } from 'zod';

export { definePlugin, KERNEL_API_VERSION } from './plugin.ts';
export type {
  GatewayPhase,
  GatewayStatus,
  GatewayView,
  HttpMethod,
  HttpRoutes,
  PluginDefinition,
  RouteOptions,
  SetupContext,
  TransportDeclaration,
} from './plugin.ts';

export { hookKinds } from './hooks.ts';
export type {
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
  ResourceTemplateItem,
  RouteAuth,
  RouteInfo,
  ToolCallContext,
  ToolItem,
} from './context.ts';

export { afterAnswer, afterAnswers } from './after-answer.ts';
export { Cancellation, onAbort, type StopSignal } from './cancellation.ts';
export { ErrorCodes, GatewayError, RpcCodes, RpcError } from './errors.ts';
export type { ErrorCode, GatewayErrorOptions } from './errors.ts';

export type { MetricLabels, MetricsService, OriginPolicy, ServiceName, Services } from './services.ts';
export { defaultAllowedOrigins, originMatcher } from './http/origin.ts';
export { requestHeader } from './http/request-header.ts';
export { rpcErrorResponse } from './mcp/endpoint.ts';
export type {
  AuthEvent,
  EventHook,
  GatewayEvent,
  HttpEvent,
  OperationEvent,
  OperationFailure,
  RequestedItem,
  SessionEvent,
  UpstreamEvent,
} from './events.ts';
export type { SessionRecord, SessionStore, UpstreamSessionState } from './session/store.ts';
export type { ReplicaMessage, SessionBus } from './session/bus.ts';

export { MessageChannel, type MessageStream } from './upstream/message-channel.ts';
export type {
  ChannelRequestOptions,
  TransportContext,
  TransportFactory,
  UpstreamChannel,
  UpstreamServer,
} from './upstream/types.ts';
export type { UpstreamState, UpstreamStatus } from './upstream/upstream.ts';
export {
  httpServerSettings,
  upstreamAuthSchema,
  type HttpServerSettings,
  type UpstreamAuth,
} from './upstream/http/settings.ts';
export { UpstreamCredentials, type UpstreamCredentialsOptions } from './upstream/http/credentials.ts';
export { HttpClient, readBody, type Exchange, type HttpResponse } from './upstream/http/http-client.ts';
export type { BodyReader, ResponseBody } from './upstream/http/response-body.ts';
export { readEventStream, type SseEvents } from './upstream/http/event-stream.ts';

export { AuthFailure, type AuthFailureReason } from './auth/failure.ts';
export { bearerToken } from './auth/bearer.ts';
export { bearerAuth, type BearerAuthOptions } from './auth/bearer-auth.ts';
export { credentialAuth, type CredentialAuthOptions } from './auth/credential-auth.ts';
export { insufficientScopeResponse, unauthorizedResponse, type Challenge } from './auth/challenges.ts';
export {
  createJwtVerifier,
  defaultAlgorithms,
  type JwtVerifier,
  type JwtVerifierOptions,
} from './auth/jwt-verifier.ts';
export { principalFromClaims, type PrincipalOptions } from './auth/principal.ts';
export {
  METADATA_PATH,
  serveProtectedResourceMetadata,
  type ProtectedResourceOptions,
} from './auth/protected-resource.ts';
export { duration, formatDuration, size } from './config/units.ts';
export { LogThrottle } from './log-throttle.ts';
export {
  compileGlob,
  serverPatternProblem,
  serverToolMatcher,
  serverToolPatterns,
  splitServerPattern,
  type Glob,
} from './patterns.ts';
export {
  checkStoreChoice,
  connectRedis,
  redisConnectionSchema,
  storeChanged,
  storeChoiceShape,
  type RedisConnectionOptions,
} from './stores/redis.ts';
export type { GatewayConfig } from './config/gateway-config.ts';
export type { ImpliedPlugins } from './loader/plan.ts';

export * from './protocol.ts';
