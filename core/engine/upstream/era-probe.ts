/**
 * Which protocol era an upstream speaks, asked as the spec (and the SDK's v2 client,
 * `classifyProbeOutcome`) asks it: a `server/discover` request before anything else. The server
 * is of the 2026-07-28 era only if it answers with a discover result that lists that version; a
 * -32022 that names it is asked once more. Refused credentials and a server that cannot answer
 * now are no verdict: the connection attempt fails (and is retried with backoff). Anything else
 * (an unknown method, a session error, a 400 or 404, a stdio server that stays silent) means the
 * 2025 era, spoken with `initialize`.
 */
import { ErrorCodes, GatewayError, RpcError } from '../../kernel/errors.ts';
import type { Implementation } from '../../kernel/protocol.ts';
import type { UpstreamClient, UpstreamRequestOptions } from './client.ts';

/** The version of the 2026-07-28 era, the only one of that era the gateway speaks. */
export const MODERN_VERSION = '2026-07-28';
/** -32022: the request's protocol version is not one the server speaks (`data.supported` lists those it does). */
const UNSUPPORTED_PROTOCOL_VERSION = -32022;

export type EraVerdict =
  | { readonly era: 'modern'; readonly discovered: Record<string, unknown> }
  /** `restart`: the probe may have left the server unable to shake hands (a child that stopped answering). */
  | { readonly era: 'legacy'; readonly reason: string; readonly restart: boolean };

/**
 * Probe the server on `client`'s channel. Rejects (with the failure itself) when the server
 * cannot be reached or refused the credentials; `oneExchangePerRequest` tells how to read
 * silence (see `UpstreamChannel.oneExchangePerRequest`).
 */
export async function probeEra(
  client: UpstreamClient,
  clientInfo: Implementation,
  options: UpstreamRequestOptions,
  oneExchangePerRequest: boolean,
): Promise<EraVerdict> {
  for (let attempt = 0; ; attempt++) {
    let result: Record<string, unknown>;
    try {
      result = await client.discover(MODERN_VERSION, clientInfo, options);
    } catch (error) {
      if (isCorrective(error) && attempt === 0) continue;
      return legacyOr(error, oneExchangePerRequest);
    }
    if (isDiscoverResult(result)) return { era: 'modern', discovered: result };
    return { era: 'legacy', reason: 'server/discover answered without a 2026-07-28 discover result', restart: false };
  }
}

/** A discover result that lists the 2026-07-28 version. */
export function isDiscoverResult(result: Record<string, unknown>): boolean {
  const { supportedVersions, capabilities } = result;
  return (
    Array.isArray(supportedVersions) &&
    supportedVersions.includes(MODERN_VERSION) &&
    typeof capabilities === 'object' &&
    capabilities !== null
  );
}

/** -32022 naming the version the gateway speaks: worth asking again. */
const isCorrective = (error: unknown): boolean =>
  error instanceof RpcError &&
  error.code === UNSUPPORTED_PROTOCOL_VERSION &&
  Array.isArray((error.data as { supported?: unknown } | undefined)?.supported) &&
  (error.data as { supported: unknown[] }).supported.includes(MODERN_VERSION);

/** The 2025 era, or the failure rethrown when it says nothing of the server's era. */
function legacyOr(error: unknown, oneExchangePerRequest: boolean): EraVerdict {
  if (error instanceof RpcError) return { era: 'legacy', reason: `server/discover: ${error.message}`, restart: false };
  if (!(error instanceof GatewayError)) throw error;
  const status = (error.data as { httpStatus?: unknown } | undefined)?.httpStatus;
  if (typeof status === 'number') {
    if (status === 401 || status === 403 || status >= 500) throw error;
    return { era: 'legacy', reason: `server/discover got HTTP ${status}`, restart: false };
  }
  switch (error.code) {
    case ErrorCodes.UPSTREAM_PROTOCOL:
      return { era: 'legacy', reason: error.message, restart: false };
    // A child that stayed silent or exited: a 2025 server that does not know the method.
    case ErrorCodes.UPSTREAM_TIMEOUT:
    case ErrorCodes.UPSTREAM_UNAVAILABLE:
      if (oneExchangePerRequest) throw error;
      return { era: 'legacy', reason: error.message, restart: true };
    default:
      throw error;
  }
}
