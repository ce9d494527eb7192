/**
 * The gateway's HTTP application (Hono): request ids and access logs, then the plugins'
 * `onRequest` hooks in order, then the routes (the plugins' routes and `/mcp`). It is a plain
 * `fetch` handler, so tests drive it in-process with `app.request()`.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Handler, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { afterAnswer } from '../after-answer.ts';
import type { GatewayContext, GatewayEnv, Logger, RouteInfo } from '../../kernel/context.ts';
import { GatewayError, RpcCodes, tagError } from '../../kernel/errors.ts';
import { lazyChild } from '../logger.ts';
import type { InFlight } from '../in-flight.ts';
import type { Kernel } from '../../runner/kernel.ts';
import { rpcErrorResponse } from '../../lib/http/rpc-error-response.ts';
import { nodeBindings, requestHeader } from '../../lib/request-header.ts';

export interface AppOptions {
  readonly kernel: Kernel;
  /** Requests whose responses are still being written; a graceful stop waits for them. */
  readonly inFlight: InFlight;
  readonly logger: Logger;
  /** The MCP endpoints: `/mcp` and the virtual ones, each routed as `mcp` (rate limits and metrics key on it). */
  readonly mcp: readonly { readonly path: string; readonly handler: Handler<GatewayEnv> }[];
  readonly maxBodyBytes: number;
}

/** A client's request id is reused only when it is short and plain, so it cannot forge log lines. */
const usableRequestId = /^[\w.:@/+=-]{1,128}$/;

const notFound: RouteInfo = { name: 'not-found', auth: 'none' };

export function createApp(options: AppOptions): Hono<GatewayEnv> {
  const { kernel, logger } = options;
  const app = new Hono<GatewayEnv>();
  const routes = new Map<string, RouteInfo>(options.mcp.map(({ path }) => [path, { name: 'mcp', auth: 'required' }]));
  for (const route of kernel.routes) {
    const { name = route.path, auth = 'required', polled } = route.options;
    routes.set(route.path, { name, auth, polled });
  }

  app.use(async function requestContext(c, next) {
    const started = performance.now();
    // A GET may be a long-lived event stream; every other request is waited for at shutdown
    // until its response has been written out.
    const leave = c.req.method === 'GET' ? undefined : options.inFlight.enter();
    const { outgoing } = nodeBindings(c);
    if (leave && outgoing) outgoing.once('close', leave);
    const given = requestHeader(c, 'x-request-id');
    const requestId = given && usableRequestId.test(given) ? given : randomUUID();
    const route = routes.get(c.req.path) ?? notFound;
    // Under Node the header goes on the outgoing message now, where Node merges it into whatever
    // the route answers, sparing a copy of every response's headers.
    outgoing?.setHeader('x-request-id', requestId);
    // `principal` and `authFailure` stay unset (undefined) until an auth plugin sets them.
    c.set('requestId', requestId);
    c.set('route', route);
    c.set('state', {});
    c.set('logger', lazyChild(logger, { request_id: requestId }));
    try {
      await next();
    } finally {
      if (leave && !outgoing) leave();
    }
    if (!outgoing) setHeader(c, 'x-request-id', requestId);
    const durationMs = performance.now() - started;
    // The access line and the events wait until the response is on its way (see after-answer.ts).
    afterAnswer(() => observed(c, requestId, route, durationMs));
  });

  function observed(c: GatewayContext, requestId: string, route: RouteInfo, durationMs: number): void {
    const { method, path } = c.req;
    const { status } = c.res;
    const subject = c.get('principal')?.subject;
    const sessionId = requestHeader(c, 'mcp-session-id');
    const line = {
      method,
      path,
      route: route.name,
      status,
      duration_ms: Math.round(durationMs * 100) / 100,
      subject,
      session_id: sessionId,
    };
    if (route.polled) c.get('logger').debug(line, 'http request');
    else c.get('logger').info(line, 'http request');
    kernel.emit({ type: 'http', requestId, method, route: route.name, status, durationMs, subject });
    const authFailure = c.get('authFailure');
    if (authFailure)
      kernel.emit({ type: 'auth', requestId, route: route.name, outcome: 'failure', reason: authFailure });
  }

  for (const hook of kernel.hooks('onRequest')) {
    const { plugin, handler } = hook;
    const tagged: MiddlewareHandler<GatewayEnv> = async (c, next) => {
      try {
        return await handler(c, next);
      } catch (error) {
        throw tagError(error, plugin, 'onRequest');
      }
    };
    app.use(tagged);
  }

  for (const route of kernel.routes) app.on(route.method, route.path, route.handler);

  const tooLarge = () =>
    rpcErrorResponse(413, RpcCodes.INVALID_REQUEST, `Request body larger than ${options.maxBodyBytes} bytes`);
  const countedLimit = bodyLimit({ maxSize: options.maxBodyBytes, onError: tooLarge });
  for (const { path, handler } of options.mcp) {
    app.post(path, (c, next) => {
      // A declared length is checked without touching the body (Node's parser holds the client to
      // it), which spares a web `Request` per message; only a body without one is counted as it comes.
      const length = requestHeader(c, 'content-length');
      if (length === undefined || requestHeader(c, 'transfer-encoding') !== undefined) return countedLimit(c, next);
      return Number(length) > options.maxBodyBytes ? Promise.resolve(tooLarge()) : next();
    });
    app.all(path, handler);
  }

  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    const log = c.get('logger') ?? logger;
    if (error instanceof GatewayError) {
      log.warn({ err: error }, error.describe());
      return c.json({ error: error.code, message: error.message }, error.status as 500);
    }
    log.error({ err: error }, 'unhandled error in HTTP request');
    return c.json({ error: 'internal_error', message: 'Internal server error', requestId: c.get('requestId') }, 500);
  });
  return app;
}

/** Set a response header, copying the response first when its headers are immutable. */
function setHeader(c: { res: Response }, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
