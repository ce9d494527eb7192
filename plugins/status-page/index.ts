/**
 * A status page for people: the upstreams' state and recent calls, the catalogue, the running plan,
 * the open sessions, and who sees what under the permission policy, at `/status` (configurable),
 * updating live; and the same as JSON under `/status/api/`. Off unless listed in `plugins:`;
 * read-only; access denied by default (see options.ts). Routes are in routes.ts.
 */
import { definePlugin } from 'mcp-gateway';
import { accessMode, createAccess } from './access.ts';
import { CallStats } from './call-stats.ts';
import { optionsSchema } from './options.ts';
import { registerStatusRoutes } from './routes.ts';

export default definePlugin({
  name: 'status-page',
  version: '1.0.0',
  kernel: '^1.3.0',
  configSchema: optionsSchema,
  setup(ctx) {
    let options = ctx.options;
    const permissions = () => ctx.find('permissions');
    const publicHost = new URL(ctx.gateway.urls.base).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    let access = createAccess(options.access, permissions, publicHost);
    const stats = new CallStats(options.window);
    registerStatusRoutes(ctx.http, {
      path: options.path,
      refreshMs: () => options.refresh,
      access: () => access,
      gateway: ctx.gateway,
      stats,
      permissions,
    });
    ctx.logger.info({ path: options.path, access: access.mode }, 'status page enabled');
    const track = { order: 'post' as const };
    return {
      onEvent(event) {
        if (event.type === 'operation') stats.record(event);
      },
      // Late in the chain (`post`), after permissions and limits: a call counts while it is on its way to the upstream.
      onCallTool: { ...track, handler: (call, next) => stats.track(call.server, next) },
      onGetPrompt: { ...track, handler: (get, next) => stats.track(get.server, next) },
      onReadResource: { ...track, handler: (read, next) => stats.track(read.server, next) },
      onReload({ options: next }) {
        if (next.path !== options.path || next.window !== options.window)
          throw new Error('status-page: path and window change only with a restart');
        if (accessMode(next.access) !== access.mode)
          throw new Error('status-page: the access mode (token, scopes/groups, loopback) changes only with a restart');
        access = createAccess(next.access, permissions, publicHost);
        options = next;
        ctx.logger.info({ access: access.mode }, 'status page options reloaded');
      },
    };
  },
});
