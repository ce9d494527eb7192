/**
 * Rate limits (`rate_limit:` section): named rules of N requests per window, with an optional
 * burst, counted per caller (subject, or IP address when anonymous), per server or per tool, in
 * this process or in Redis so that limits hold across replicas. A rule without `tools:` counts
 * HTTP requests to /mcp and answers 429 with `Retry-After`; a rule with `tools:` counts the
 * `tools/call`s its globs match and answers a JSON-RPC error inside the session. When Redis cannot
 * answer, requests are let through or refused (`on_store_error`), never left hanging.
 */
import { definePlugin, type ToolCallContext } from 'mcp-gateway';
import { connectRedis, storeChanged } from 'mcp-gateway/redis';
import { clientAddress, principalKey } from './caller.ts';
import { createGuard } from './guard.ts';
import { optionsSchema, type RateLimitOptions } from './options.ts';
import { refusalError, refusalResponse } from './refusal.ts';
import { Reporting } from './reporting.ts';
import { compileRule } from './rules.ts';

export default definePlugin({
  name: 'rate-limit',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'rate_limit',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { logger } = ctx;
    const redis = ctx.options.redis && (await connectRedis(ctx.options.redis, logger));
    /** The limits in force; a reload (SIGHUP) with other rules replaces them whole (counters restart). */
    const load = (options: RateLimitOptions) => {
      const rules = options.rules.map((rule) => compileRule(rule, redis));
      logger.info(
        {
          store: options.store,
          on_store_error: options.on_store_error,
          trust_proxy: options.trust_proxy,
          rules: rules.map((r) => `${r.name}: ${r.description}`),
        },
        'rate limits loaded',
      );
      return {
        options,
        httpRules: rules.filter((rule) => rule.scope === 'http'),
        toolRules: rules.filter((rule) => rule.scope === 'tools'),
        guard: createGuard({
          onStoreError: options.on_store_error,
          reporting: new Reporting(
            logger,
            () => ctx.find('metrics'),
            rules.map((rule) => rule.name),
          ),
        }),
      };
    };
    let limits = load(ctx.options);

    const toolCall = async (call: ToolCallContext) => {
      const { toolRules, guard } = limits;
      const applicable = toolRules.filter((rule) => rule.matches(call.server, call.tool));
      if (applicable.length === 0) return undefined;
      const address = call.state.rateLimitAddress;
      const values = {
        principal: principalKey(call.principal, address),
        server: call.server,
        tool: `${call.server}:${call.tool}`,
      };
      return guard(applicable, values, { subject: call.principal?.subject, address }, call.logger);
    };

    return {
      onRequest: {
        // After every hook without a preference, authentication included (whatever the load order):
        // the principal is known, and a request that authentication refused is never counted.
        order: 'post',
        handler: async (c, next) => {
          if (c.get('route').name !== 'mcp') return next();
          const { options, httpRules, guard } = limits;
          const address = clientAddress(c, options.trust_proxy);
          c.get('state').rateLimitAddress = address;
          if (httpRules.length === 0) return next();
          const principal = c.get('principal');
          const refusal = await guard(
            httpRules,
            { principal: principalKey(principal, address) },
            { subject: principal?.subject, address },
            c.get('logger'),
          );
          if (refusal) return refusalResponse(refusal);
          return next();
        },
      },

      async onCallTool(call, next) {
        const refusal = await toolCall(call);
        if (refusal) throw refusalError(refusal);
        return next();
      },

      onReload({ options }) {
        if (storeChanged(limits.options, options)) {
          throw new Error('changing rate_limit.store or rate_limit.redis takes a restart');
        }
        limits = load(options);
      },

      async onShutdown() {
        redis?.disconnect();
      },
    };
  },
});
