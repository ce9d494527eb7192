/**
 * Who a request counts against under the `principal` key: the authenticated subject, or, for an
 * anonymous caller, its IP address: the TCP peer, or with `trust_proxy` an `X-Forwarded-For`
 * entry counted from the end (the entries before it are whatever the client wrote). The address is
 * found in `onRequest` and kept in the request's state for the tool-call hooks.
 */
import { isIP } from 'node:net';
import type { GatewayContext, Principal } from 'mcp-gateway';

declare module 'mcp-gateway' {
  interface RequestState {
    /** The caller's address as the rate-limit plugin found it (`unknown` when there is none). */
    rateLimitAddress?: string;
  }
}

export type TrustProxy = boolean | number;

/** `::ffff:10.0.0.1` is `10.0.0.1`: one caller, one counter. */
const normalize = (address: string) =>
  address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

/** The address of the TCP peer, when the request came through Node's HTTP server. */
function peerAddress(c: GatewayContext): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

export function clientAddress(c: GatewayContext, trustProxy: TrustProxy): string {
  const peer = peerAddress(c);
  if (trustProxy !== false) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const proxies = trustProxy === true ? 1 : trustProxy;
    const entry = hops[Math.max(0, hops.length - proxies)];
    // Something that is not an address (a client's junk) never becomes a counter of its own.
    if (entry && isIP(entry)) return normalize(entry);
  }
  return peer ? normalize(peer) : 'unknown';
}

/** The value of the `principal` key part. */
export const principalKey = (principal: Principal | undefined, address: string | undefined): string =>
  principal ? `sub:${principal.subject}` : `ip:${address ?? 'unknown'}`;
