/**
 * Tool-level permissions, the original gateway's `auth:` model: claims mapped to scopes, `server:
 * tool` globs mapped to the scopes that may use them, `scope_mode` any/all and a `default_scope`.
 * One policy per MCP endpoint (`auth.endpoints`, else the shared one), applied everywhere on that
 * endpoint: what a caller may not use is absent from its lists (tools, prompts,
 * resources, resource templates) and refused when it names it anyway, with HTTP 403
 * `insufficient_scope` before the message reaches its session, and again (defense in depth) around
 * the call itself. It works with any auth plugin: it reads only `principal.scopes` and
 * `principal.claims`; without a principal, the caller has no scopes.
 */
import {
  type CatalogueItem,
  definePlugin,
  type Logger,
  type McpMessageContext,
  type OperationContext,
  RpcCodes,
} from 'mcp-gateway';
import { insufficientScopeResponse } from 'mcp-gateway/auth';
import { BoundedCache } from './bounded-cache.ts';
import { explain, forbiddenError, forbiddenMessage } from './denial.ts';
import { optionsSchema } from './options.ts';
import { compileRules, DEFAULT_ENDPOINT } from './rules.ts';
import type { Caller } from './scopes.ts';
import { subjectOf, type ItemKind } from './subjects.ts';

/** The requests that use an item, answered 403 before they reach the session when denied. */
const guardedMethods = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
  'resources/subscribe',
  'completion/complete',
]);

export default definePlugin({
  name: 'permissions',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'auth',
  configSchema: optionsSchema,
  setup(ctx) {
    const { logger } = ctx;
    const endpoints = ctx.gateway.endpoints().map((e) => e.name);
    /** The policies in force; a reload (SIGHUP) with other options replaces them whole. */
    let rules = compileRules(
      ctx.options,
      ctx.config.proxy.servers.map((s) => s.name),
      endpoints,
      logger,
    );
    const callerOf = (principal: OperationContext['principal']) => rules.callerOf(principal);

    /**
     * A list hook: keeps what the caller may use; one filtered list per (list, endpoint, scope set),
     * forgotten when the policy changes. Endpoints that narrow nothing share one list, not a policy.
     */
    const listFilter = <T>(kind: ItemKind) => {
      let memo = new WeakMap<readonly CatalogueItem<T>[], BoundedCache<string, readonly CatalogueItem<T>[]>>();
      let memoOf = rules;
      return function filterByPermission(
        items: readonly CatalogueItem<T>[],
        op: OperationContext,
      ): readonly CatalogueItem<T>[] {
        if (memoOf !== rules) (memo = new WeakMap()), (memoOf = rules);
        const policy = rules.policyOf(op.endpoint);
        const caller = callerOf(op.principal);
        let byCaller = memo.get(items);
        if (!byCaller) memo.set(items, (byCaller = new BoundedCache(256)));
        return byCaller.getOrSet(`${op.endpoint} ${caller.key}`, () =>
          items.filter((item) => policy.decide(caller, subjectOf(kind, item.server, item.name)).allowed),
        );
      };
    };

    const check = (endpoint: string, caller: Caller, kind: ItemKind, server: string, name: string) =>
      rules.policyOf(endpoint).decide(caller, subjectOf(kind, server, name));

    ctx.provide('permissions', {
      // Claims and mappings are shared: a caller has the same scopes on every endpoint.
      scopesOf: (principal) => [...callerOf(principal).scopes],
      decide: (principal, kind, server, name, endpoint = DEFAULT_ENDPOINT) =>
        explain(check(endpoint, callerOf(principal), kind, server, name)),
    });

    /** The metadata of the endpoint called: a client asks that resource's authorization server for more scopes. */
    const resourceMetadataOf = (endpoint: string) =>
      ctx.gateway.endpoints().find((e) => e.name === endpoint)?.resourceMetadata ?? ctx.gateway.urls.resourceMetadata;

    const logDenial = (
      log: Logger,
      caller: Caller,
      subject: string | undefined,
      kind: ItemKind,
      exposed: string,
      required: readonly string[],
    ) =>
      log.info(
        { permission: 'denied', subject, kind, name: exposed, required, scopes: [...caller.scopes] },
        `permission denied: ${kind} ${exposed}`,
      );

    return {
      onReload({ options }) {
        rules = compileRules(
          options,
          ctx.gateway.status().upstreams.map((u) => u.name),
          endpoints,
          logger,
        );
      },

      onListTools: listFilter('tool'),
      onListPrompts: listFilter('prompt'),
      onListResources: listFilter('resource'),
      onListResourceTemplates: listFilter('resource'),

      async onMcpMessage(message: McpMessageContext, next) {
        const { target } = message;
        // An unknown name goes on: the kernel answers "unknown tool" as it would for anyone.
        if (!target || message.method === undefined || !guardedMethods.has(message.method)) return next();
        const caller = callerOf(message.principal);
        const decision = check(message.endpoint, caller, target.kind, target.server, target.name);
        if (decision.allowed) return next();
        const { requirement } = decision;
        logDenial(message.logger, caller, message.principal?.subject, target.kind, target.exposed, requirement.scopes);
        return insufficientScopeResponse({
          // Anonymous and OAuth callers are pointed at OAuth; one who authenticated otherwise (an API key) is not.
          resourceMetadata:
            !message.principal || message.principal.oauth ? resourceMetadataOf(message.endpoint) : undefined,
          scopes: requirement.scopes,
          id: message.id,
          message: forbiddenMessage(target.kind, target.exposed, requirement),
          code: RpcCodes.FORBIDDEN,
        });
      },

      // Defense in depth: the same decisions around the operations themselves, whatever path led there.
      async onCallTool(call, next) {
        const caller = callerOf(call.principal);
        const decision = check(call.endpoint, caller, 'tool', call.server, call.tool);
        if (decision.allowed) return next();
        logDenial(call.logger, caller, call.principal?.subject, 'tool', call.name, decision.requirement.scopes);
        throw forbiddenError('tool', call.name, decision.requirement);
      },

      async onGetPrompt(get, next) {
        const caller = callerOf(get.principal);
        const decision = check(get.endpoint, caller, 'prompt', get.server, get.prompt);
        if (decision.allowed) return next();
        logDenial(get.logger, caller, get.principal?.subject, 'prompt', get.name, decision.requirement.scopes);
        throw forbiddenError('prompt', get.name, decision.requirement);
      },

      async onReadResource(read, next) {
        const caller = callerOf(read.principal);
        const decision = check(read.endpoint, caller, 'resource', read.server, read.uri);
        if (decision.allowed) return next();
        const exposed = typeof read.params.uri === 'string' ? read.params.uri : read.uri;
        logDenial(read.logger, caller, read.principal?.subject, 'resource', exposed, decision.requirement.scopes);
        throw forbiddenError('resource', exposed, decision.requirement);
      },
    };
  },
});
