/**
 * The envelope a request to an upstream of the 2026-07-28 era carries in `params._meta`: the
 * protocol version, and the client it is for. For a call on a client's behalf that is the
 * downstream client, as it introduced itself (so that the upstream offers and asks only what the
 * real client supports); for the gateway's own requests (lists, the heartbeat), the gateway.
 */
import type { Implementation } from '../../kernel/protocol.ts';
import { META } from '../mcp/era.ts';
import type { UpstreamRequestOptions } from './client.ts';

export { META };

/**
 * `params._meta` with the envelope added. Keys the caller set there itself (`progressToken`, ...)
 * are kept; the envelope's own are the gateway's to set, as the version is the one it speaks here.
 */
export function envelopeMeta(
  version: string,
  gateway: Implementation,
  params: Record<string, unknown> | undefined,
  { peer, logLevel }: UpstreamRequestOptions,
): Record<string, unknown> {
  const client = peer?.client;
  return {
    ...(params?._meta as Record<string, unknown> | undefined),
    [META.protocolVersion]: version,
    [META.clientCapabilities]: client?.capabilities ?? {},
    [META.clientInfo]: client?.info ?? gateway,
    ...(logLevel !== undefined && { [META.logLevel]: logLevel }),
  };
}
