/** Where audit records go. The queue batches records and calls `write` one batch at a time. */
import type { AuditRecord } from '../record.ts';

export interface AuditSink {
  /** For the boot log: the kind of sink and where it writes, never a credential. */
  readonly description: Readonly<Record<string, unknown>>;
  /** Records per write. */
  readonly batchSize: number;
  /** Milliseconds a record may wait for its batch to fill; 0 writes what there is at once. */
  readonly flushInterval: number;
  /** Writes one batch; rejects when the batch is lost (after the sink's own retries). `signal` aborts at shutdown. */
  write(records: readonly AuditRecord[], signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
