/**
 * How the gateway treats upstreams, configured once under `proxy:` and overridable per server
 * (`proxy.servers[]`, same keys, partial): timeouts, reconnection backoff, heartbeat, periodic
 * re-discovery, what happens to a down server's tools, retries, and session mode.
 */
import { z } from 'zod';
import { duration } from './units.ts';

export type UpstreamSessions = 'per-client' | 'shared';
export type WhenDown = 'hide' | 'error';

/** How the gateway treats one upstream server: timeouts, reconnection, health checks, sessions, retries. */
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

/** Reconnection delays: exponential, capped, with jitter so that replicas do not retry in step. */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of the delay randomised either way (0.2 = ±20 %). */
  readonly jitter: number;
}

const backoffFields = {
  /** First delay before reconnecting. */
  initial: duration,
  /** Longest delay between attempts. */
  max: duration,
  /** Growth of the delay after each failure. */
  factor: z.number().min(1),
};
const heartbeatFields = {
  enabled: z.boolean(),
  /** How often to `ping` a connected upstream. */
  interval: duration.refine((ms) => ms >= 1000, 'use at least 1s'),
  /** How long a `ping` may take before the connection counts as lost. */
  timeout: duration,
};
const retryFields = {
  /** Further attempts after a lost connection, for idempotent requests only. */
  attempts: z.number().int().min(0).max(10),
  /** Wait before the first retry (doubled each time). */
  delay: duration,
  /** Also retry tools/call of tools not annotated idempotentHint. */
  tool_calls: z.boolean(),
};
const whenDown = z.enum(['hide', 'error']);

/** `proxy:` keys, with their defaults. */
export const policyDefaults = {
  /** Default per-request timeout toward upstreams (`connection.timeout` overrides it per server). */
  timeout: duration.prefault('30s'),
  /** How long connecting may take (spawn, initialize, first discovery): `npx -y` may download first. */
  connect_timeout: duration.prefault('60s'),
  reconnect: z.strictObject(backoffFields).partial().prefault({}),
  heartbeat: z.strictObject(heartbeatFields).partial().prefault({}),
  /** Read every list again this often (0: only when a server says `list_changed`). */
  rediscovery_interval: duration.prefault('5m'),
  /** A down server's tools: `hide` them, or keep listing them and fail calls at once (`error`). */
  when_down: whenDown.default('hide'),
  retry: z.strictObject(retryFields).partial().prefault({}),
};

/** Per-server overrides of the `proxy:` keys, plus the session mode. */
export const policyOverrides = {
  connect_timeout: duration.optional(),
  reconnect: z.strictObject(backoffFields).partial().optional(),
  heartbeat: z.strictObject(heartbeatFields).partial().optional(),
  rediscovery_interval: duration.optional(),
  when_down: whenDown.optional(),
  retry: z.strictObject(retryFields).partial().optional(),
  /** `per-client`: each client gets its own upstream session; `shared`: one for all. Default: the transport's. */
  upstream_sessions: z.enum(['per-client', 'shared']).optional(),
};

export const policyOverrideKeys = Object.keys(policyOverrides);

type Defaults = z.output<z.ZodObject<typeof policyDefaults>>;
type Overrides = z.output<z.ZodObject<typeof policyOverrides>>;

const builtIn = {
  reconnect: { initial: 500, max: 30_000, factor: 2 },
  heartbeat: { enabled: true, interval: 30_000, timeout: 10_000 },
  retry: { attempts: 2, delay: 200, tool_calls: false },
};

/** The policy of one server: its overrides over the `proxy:` values over the built-in defaults. */
export function resolvePolicy(
  proxy: Defaults,
  server: Overrides,
  timeoutMs: number,
  sessions: UpstreamSessions,
): UpstreamPolicy {
  const reconnect = { ...builtIn.reconnect, ...proxy.reconnect, ...server.reconnect };
  const heartbeat = { ...builtIn.heartbeat, ...proxy.heartbeat, ...server.heartbeat };
  const retry = { ...builtIn.retry, ...proxy.retry, ...server.retry };
  return {
    timeoutMs,
    connectTimeoutMs: server.connect_timeout ?? proxy.connect_timeout,
    backoff: { initialMs: reconnect.initial, maxMs: reconnect.max, factor: reconnect.factor, jitter: 0.2 },
    heartbeat: heartbeat.enabled ? { intervalMs: heartbeat.interval, timeoutMs: heartbeat.timeout } : undefined,
    rediscoveryMs: server.rediscovery_interval ?? proxy.rediscovery_interval,
    whenDown: server.when_down ?? proxy.when_down,
    sessions: server.upstream_sessions ?? sessions,
    retry: { attempts: retry.attempts, delayMs: retry.delay, toolCalls: retry.tool_calls },
  };
}
