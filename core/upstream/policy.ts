/** How the gateway treats one upstream server: timeouts, reconnection, health checks, sessions, retries. */
import type { BackoffSettings } from './backoff.ts';

export type UpstreamSessions = 'per-client' | 'shared';
export type WhenDown = 'hide' | 'error';

export interface UpstreamPolicy {
  /** Per request. */
  readonly timeoutMs: number;
  /** For connecting: spawn, handshake, first discovery. */
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffSettings;
  /** An MCP `ping` every `intervalMs`; no answer within `timeoutMs` means the connection is lost. */
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number } | undefined;
  /** Lists are read again this often (0: only on `list_changed`). */
  readonly rediscoveryMs: number;
  /** `hide`: a down server's tools leave the lists; `error`: they stay listed and calls fail at once. */
  readonly whenDown: WhenDown;
  /** `per-client`: each downstream session gets its own upstream session; `shared`: one for all. */
  readonly sessions: UpstreamSessions;
  /** Retries of idempotent requests whose connection failed (never of a timeout or an error answer). */
  readonly retry: { readonly attempts: number; readonly delayMs: number; readonly toolCalls: boolean };
}
