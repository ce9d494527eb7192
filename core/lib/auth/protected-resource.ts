/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), as MCP clients discover it: one document for
 * the gateway (`/.well-known/oauth-protected-resource`, resource = `server.url`) and one for its
 * MCP endpoint (`/.well-known/oauth-protected-resource/mcp`, resource = the endpoint's URL), both
 * naming the authorization servers that issue tokens for it. Served without authentication.
 */
import type { SetupContext } from '../../kernel/plugin.ts';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceOptions {
  readonly authorizationServers: readonly string[];
  readonly scopesSupported?: readonly string[];
  readonly bearerMethodsSupported?: readonly string[];
  /** A human-readable name for consent screens. */
  readonly resourceName?: string;
}

/**
 * Serve both documents. The options may be given as a function, read at every request, for a plugin whose
 * options change on a configuration reload.
 */
export function serveProtectedResourceMetadata(
  ctx: Pick<SetupContext<unknown>, 'http' | 'gateway'>,
  given: ProtectedResourceOptions | (() => ProtectedResourceOptions),
): void {
  const document = (resource: string, options = typeof given === 'function' ? given() : given) => ({
    resource,
    authorization_servers: options.authorizationServers,
    ...(options.scopesSupported?.length ? { scopes_supported: options.scopesSupported } : {}),
    bearer_methods_supported: options.bearerMethodsSupported ?? ['header'],
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
  });
  ctx.http.route('GET', METADATA_PATH, (c) => c.json(document(ctx.gateway.urls.base)), {
    auth: 'none',
    name: 'oauth-metadata',
  });
  ctx.http.route(
    'GET',
    `${METADATA_PATH}${new URL(ctx.gateway.urls.mcp).pathname}`,
    (c) => c.json(document(ctx.gateway.urls.mcp)),
    {
      auth: 'none',
      name: 'oauth-metadata-mcp',
    },
  );
}
