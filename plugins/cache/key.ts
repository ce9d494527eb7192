/**
 * The cache key of a call: a SHA-256 of who calls (the principal's subject, or `anonymous`), the
 * server, the upstream's tool name and the canonical JSON of the arguments (keys sorted at every
 * depth), so that `{a, b}` and `{b, a}` share a result and two callers never share one.
 */
import { createHash } from 'node:crypto';
import type { Principal } from 'mcp-gateway';
import { stringify } from 'safe-stable-stringify';

export interface KeyedCall {
  readonly principal: Principal | undefined;
  readonly server: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown> | undefined;
}

/** `user:` keeps a principal whose subject happens to be "anonymous" apart from anonymous callers. */
const callerKey = (principal: Principal | undefined): string => (principal ? `user:${principal.subject}` : 'anonymous');

export function cacheKey(call: KeyedCall): string {
  const canonical = stringify([callerKey(call.principal), call.server, call.tool, call.arguments ?? null]);
  return createHash('sha256')
    .update(canonical ?? '')
    .digest('base64url');
}
