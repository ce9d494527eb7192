/**
 * The built-in plugins a configuration implies when it has no `plugins:` list, in load order.
 * The kernel finds this file and the plugin folders on disk by name; it imports none statically.
 */
import type { ImpliedPlugins } from 'mcp-gateway';

/** Upstream transports, by the `type:` of the servers that need them. */
const transports = ['streamable-http', 'sse', 'stdio'];

/** Plugins asked for by their own top-level section. */
const when = (sections: ReadonlySet<string>, section: string, plugin = section) =>
  sections.has(section) ? [plugin] : [];

export const impliedPlugins: ImpliedPlugins = (config, sections) => {
  const types = new Set(config.proxy.servers.map((server) => server.type));
  return [
    // Always: health endpoints and metrics.
    'health',
    'metrics',
    // Before authentication: preflights carry no credentials.
    ...when(sections, 'cors'),
    // What each server exposes, for everyone: shaped where the catalogue is built, before any list hook.
    ...when(sections, 'tool_filter', 'tool-filter'),
    // Authentication, then permissions, which read the principal it sets. The original's `oauth:`
    // section means Okta (auth-okta reads `oauth.enabled` itself); `oidc:` is any other issuer.
    ...when(sections, 'oauth', 'auth-okta'),
    ...when(sections, 'oidc'),
    ...when(sections, 'auth', 'permissions'),
    // Rate limits: after authentication (the principal is known) and permissions (a denied call is not counted).
    ...when(sections, 'rate_limit', 'rate-limit'),
    // Tool search: three tools instead of the catalogue; its list hook runs after every other (order: 'post').
    ...when(sections, 'tool_search', 'tool-search'),
    // Sessions shared by replicas through Redis: they provide the session store the kernel uses.
    ...when(sections, 'shared_sessions', 'shared-sessions'),
    // Result cache: its onCallTool runs closest to the upstream (order: 'post') wherever it loads.
    ...when(sections, 'cache'),
    // Observers of permission decisions and operations.
    ...when(sections, 'audit'),
    ...when(sections, 'tracing'),
    ...transports.filter((type) => types.has(type)),
  ];
};
