/**
 * The built-in plugins a configuration implies when it has no `plugins:` list, in load order:
 * `health`, then authentication, then `permissions` (it reads the principal that authentication
 * sets), then the upstream transports.
 * The kernel finds this file and the plugin folders on disk by name; it imports none statically.
 */
import type { ImpliedPlugins } from 'mcp-gateway';

/** Upstream transports, by the `type:` of the servers that need them. */
const transports = ['streamable-http', 'sse', 'stdio'];

export const impliedPlugins: ImpliedPlugins = (config, sections) => {
  const types = new Set(config.proxy.servers.map((server) => server.type));
  // Authentication comes before permissions, which reads the principal it sets. The original's
  // `oauth:` section means Okta; auth-okta reads `oauth.enabled` itself (true unless set to false,
  // when it authenticates nothing and says so), so the section alone implies it. `oidc:` is any
  // other OpenID Connect issuer.
  const authentication = [...(sections.has('oauth') ? ['auth-okta'] : []), ...(sections.has('oidc') ? ['oidc'] : [])];
  const permissions = sections.has('auth') ? ['permissions'] : [];
  return ['health', ...authentication, ...permissions, ...transports.filter((type) => types.has(type))];
};
