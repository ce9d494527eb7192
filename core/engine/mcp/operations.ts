/**
 * One MCP operation, whichever era and path brought it (a 2025 session's fast path or its SDK
 * transport, a stateless 2026-07-28 request): the method's handler in the proxy, through the
 * plugins' hooks, counted in flight, and told as an operation event once it ended.
 */
import type { Logger, McpTarget, OperationContext } from '../../kernel/context.ts';
import { ErrorCodes, GatewayError, RpcCodes, RpcError } from '../../kernel/errors.ts';
import type { OperationEvent } from '../../kernel/events.ts';
import type { InFlight } from '../in-flight.ts';
import { OperationCall, type OperationRuntime } from './operation-context.ts';
import { failureOutcome, successOutcome } from './outcome.ts';
import type { McpProxy } from './proxy.ts';
import { requestedItem } from './requested.ts';
import type { HttpScope } from './http-scope.ts';

type Params = Record<string, unknown>;
type Handler = (proxy: McpProxy, ctx: OperationContext, params: Params, runtime: OperationRuntime) => Promise<unknown>;

const methods: Record<string, Handler> = {
  'tools/list': (proxy, ctx, params) => proxy.listTools(ctx, params),
  'tools/call': (proxy, ctx, params, runtime) => proxy.callTool(ctx, params, runtime),
  'prompts/list': (proxy, ctx, params) => proxy.listPrompts(ctx, params),
  'prompts/get': (proxy, ctx, params, runtime) => proxy.getPrompt(ctx, params, runtime),
  'resources/list': (proxy, ctx, params) => proxy.listResources(ctx, params),
  'resources/templates/list': (proxy, ctx, params) => proxy.listResourceTemplates(ctx, params),
  'resources/read': (proxy, ctx, params, runtime) => proxy.readResource(ctx, params, runtime),
  'resources/subscribe': (proxy, ctx, params, runtime) => proxy.subscribe(ctx, params, runtime, true),
  'resources/unsubscribe': (proxy, ctx, params, runtime) => proxy.subscribe(ctx, params, runtime, false),
  'completion/complete': (proxy, ctx, params, runtime) => proxy.complete(ctx, params, runtime),
  'logging/setLevel': (proxy, ctx, params, runtime) => proxy.setLogLevel(ctx, params, runtime),
  'tasks/get': (proxy, ctx, params, runtime) => proxy.task(ctx, 'tasks/get', params, runtime),
  'tasks/update': (proxy, ctx, params, runtime) => proxy.task(ctx, 'tasks/update', params, runtime),
  'tasks/cancel': (proxy, ctx, params, runtime) => proxy.task(ctx, 'tasks/cancel', params, runtime),
};

/** Whether `method` is one of the gateway's operations (the others are the protocol's own: `initialize`, `ping`, ...). */
export const servesOperation = (method: string): boolean => Object.hasOwn(methods, method);

export interface OperationDeps {
  readonly proxy: McpProxy;
  /** Operations in progress, which a graceful stop waits for. */
  readonly inFlight: InFlight;
  /** Every operation, once it ended: for the access log and the observers. */
  readonly onOperation: (event: OperationEvent, logger: Logger) => void;
}

/** What an operation knows of the request that carried it. */
export type OperationScope = Pick<HttpScope, 'requestId' | 'endpoint' | 'logger' | 'principal' | 'state' | 'target'> & {
  /** The served tool that made this operation for the client (kernel API 1.5). */
  readonly via?: McpTarget;
};

/** Run `method`; rejects with the `RpcError` the client is to see. */
export async function runOperation(
  deps: OperationDeps,
  method: string,
  given: Params | undefined,
  scope: OperationScope,
  runtime: OperationRuntime,
  sessionId: string | undefined,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const params = given ?? {};
  const ctx = new OperationCall(method, scope, sessionId, runtime);
  let outcome: Pick<OperationEvent, 'outcome' | 'reason' | 'error'> | undefined;
  const leave = deps.inFlight.enter();
  try {
    const handler = methods[method];
    if (!handler)
      throw new GatewayError(ErrorCodes.INVALID_PARAMS, `Method not found: ${method}`, {
        rpcCode: RpcCodes.METHOD_NOT_FOUND,
      });
    const result = (await handler(deps.proxy, ctx, params, runtime)) as Record<string, unknown>;
    outcome = successOutcome(method, result);
    return result;
  } catch (error) {
    const rpc = toRpcError(error, scope.logger, method);
    outcome = failureOutcome(error, rpc, runtime.cancellation.aborted);
    throw rpc;
  } finally {
    leave();
    deps.onOperation(
      {
        type: 'operation',
        requestId: scope.requestId,
        sessionId,
        endpoint: scope.endpoint,
        method,
        requested: requestedItem(method, params),
        target: scope.target,
        ...(scope.via && { via: scope.via }),
        ...outcome!,
        durationMs: performance.now() - started,
        subject: scope.principal?.subject,
        arguments: params.arguments,
        state: scope.state,
      },
      scope.logger,
    );
  }
}

/** What the client sees when an operation fails; unexpected errors are logged, not leaked. */
export function toRpcError(error: unknown, logger: Logger, method: string): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof GatewayError) {
    const data = { code: error.code, ...(error.plugin ? { plugin: error.plugin } : {}), ...error.data };
    if (error.rpcCode === RpcCodes.INTERNAL_ERROR) logger.warn({ err: error }, error.describe());
    return new RpcError(error.rpcCode, error.message, data);
  }
  logger.error({ err: error, method }, 'unexpected error in MCP operation');
  return new RpcError(RpcCodes.INTERNAL_ERROR, 'Internal error');
}
