/** What plugins may know of each upstream server: its state (`GatewayView.upstreams`, upstream events). */
import type { Implementation } from './protocol.ts';

/** `connecting` while an attempt runs, `ready`, `down` between attempts (with backoff), `closed` once removed or stopped. */
export type UpstreamState = 'connecting' | 'ready' | 'down' | 'closed';

export interface UpstreamStatus {
  readonly name: string;
  readonly type: string;
  readonly state: UpstreamState;
  readonly required: boolean;
  /** When the upstream entered its current state (ISO 8601). */
  readonly since: string;
  readonly error?: string;
  /** While `down`: when the next connection attempt is due, after the backoff (ISO 8601; kernel API 1.3). */
  readonly retryAt?: string;
  /** Failed connection attempts since the last success. */
  readonly failures: number;
  /** Connections established since boot: 1 while healthy; a growing number means it keeps dropping. */
  readonly connections: number;
  readonly serverInfo?: Implementation;
  /** The protocol version spoken with it (`2026-07-28`, or the 2025 one `initialize` agreed), once reached. */
  readonly protocolVersion?: string;
  /** The round trip of the last heartbeat `ping` answered, in milliseconds (kernel API 1.3). */
  readonly heartbeatMs?: number;
  readonly tools: number;
  readonly prompts: number;
  readonly resources: number;
}
