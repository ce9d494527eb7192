/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), as MCP clients discover it: one document for
 * the gateway (`/.well-known/oauth-protected-resource`, resource = `server.url`) and one for each
 * MCP endpoint (`/.well-known/oauth-protected-resource/mcp`, `.../mcp/dev`, resource = the
 * endpoint's URL), all naming the authorization servers that issue tokens for it. Served without
 * authentication.
 */
import type { GatewayView, SetupContext } from '../../kernel/plugin.ts';

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
  for (const { name, url } of ctx.gateway.endpoints()) {
    // The URL is read per request: without `server.url`, the port is known only once listening.
    const resource = () => ctx.gateway.endpoints().find((e) => e.name === name)!.url;
    ctx.http.route('GET', `${METADATA_PATH}${new URL(url).pathname}`, (c) => c.json(document(resource())), {
      auth: 'none',
      name: 'oauth-metadata-mcp',
    });
  }
}

/**
 * The protected resource metadata URL of the MCP endpoint at `path` (a request's), else of `/mcp`:
 * a challenge sends the client to the document of the resource it called.
 */
export function resourceMetadataOf(gateway: GatewayView, path: string): string {
  return gateway.endpoints().find((e) => e.path === path)?.resourceMetadata ?? gateway.urls.resourceMetadata;
}
