/**
 * What the CLIENT spans say of each upstream server, from `proxy.servers`: `network.transport`
 * (`pipe` for a child process, `tcp` otherwise) and, for a server with a URL, `server.address`
 * and `server.port` (never the rest of the URL: it may hold credentials).
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import type { GatewayConfig } from 'mcp-gateway';
import { ATTR_NETWORK_TRANSPORT } from './attributes.ts';

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function upstreamAttributes(servers: GatewayConfig['proxy']['servers']): (server: string) => Attributes {
  const byName = new Map<string, Attributes>();
  for (const server of servers) {
    const url = parseUrl((server.connection as { url?: unknown } | undefined)?.url);
    byName.set(server.name, {
      [ATTR_NETWORK_TRANSPORT]: server.type === 'stdio' ? 'pipe' : 'tcp',
      ...(url && { [ATTR_SERVER_ADDRESS]: url.hostname }),
      ...(url && portOf(url) !== undefined && { [ATTR_SERVER_PORT]: portOf(url) }),
    });
  }
  return (server) => byName.get(server) ?? {};
}

const portOf = (url: URL): number | undefined => (url.port ? Number(url.port) : defaultPorts[url.protocol]);

function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
