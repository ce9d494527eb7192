/**
 * One audit record per operation that uses an item (a tool, a prompt, a resource), built from the
 * kernel's `operation` event. It says who, what, the permission decision and how it ended; it
 * never holds a credential: the caller is its subject only, and arguments (which may hold
 * secrets) are kept only when the operator asked for them.
 */
import type { OperationEvent, RequestedItem } from 'mcp-gateway';

/** The methods audited: those that use an item. */
export const auditedMethods: ReadonlySet<string> = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
  'resources/subscribe',
  'completion/complete',
]);

export type ItemKind = RequestedItem['kind'];

export interface AuditRecord {
  /** Tells audit lines apart from log lines on a shared stdout. */
  readonly type: 'audit';
  /** When the operation ended, ISO 8601 (UTC). */
  readonly timestamp: string;
  readonly request_id: string;
  readonly session_id: string | null;
  /** The MCP endpoint the request came to (`default` is `/mcp`). */
  readonly endpoint: string;
  /** The caller (the principal's subject); null when anonymous. */
  readonly subject: string | null;
  readonly method: string;
  readonly kind: ItemKind | null;
  /** The upstream server (its `name` in `proxy.servers`); null when the name resolves to nothing. */
  readonly server: string | null;
  /** The item's name as the upstream knows it (a tool or prompt name, a resource URI). */
  readonly name: string | null;
  /** The name or URI as the client sent it. */
  readonly exposed: string | null;
  /** The served tool (tool search's `call_tool`) the client called to make this call, which has its own record. */
  readonly via?: string;
  readonly decision: 'allowed' | 'denied';
  readonly outcome: OperationEvent['outcome'];
  readonly reason: OperationEvent['reason'] | null;
  readonly error: { readonly code: number; readonly message: string } | null;
  readonly duration_ms: number;
  /** Only with `include_arguments: true`, for `tools/call` and `prompts/get`. */
  readonly arguments?: unknown;
}

export interface RecordOptions {
  readonly includeArguments: boolean;
  readonly now?: Date;
}

export function auditRecord(event: OperationEvent, options: RecordOptions): AuditRecord {
  const { target } = event;
  const withArguments = options.includeArguments && (event.method === 'tools/call' || event.method === 'prompts/get');
  return {
    type: 'audit',
    timestamp: (options.now ?? new Date()).toISOString(),
    request_id: event.requestId,
    session_id: event.sessionId ?? null,
    endpoint: event.endpoint,
    subject: event.subject ?? null,
    method: event.method,
    kind: target?.kind ?? event.requested?.kind ?? null,
    server: target?.server ?? null,
    name: target?.name ?? null,
    exposed: target?.exposed ?? event.requested?.exposed ?? null,
    ...(event.via && { via: event.via.exposed }),
    decision: event.reason === 'denied' ? 'denied' : 'allowed',
    outcome: event.outcome,
    reason: event.reason ?? null,
    error: event.error ? { code: event.error.code, message: event.error.message } : null,
    duration_ms: Math.round(event.durationMs * 100) / 100,
    ...(withArguments && { arguments: event.arguments ?? null }),
  };
}

/** The record as JSON; arguments that cannot be serialized are replaced rather than losing the record. */
export function serialize(record: AuditRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ ...record, arguments: '[unserializable]' });
  }
}
