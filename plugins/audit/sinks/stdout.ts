/**
 * JSON lines on the process's stdout, which pino's log lines share: every record has
 * `"type": "audit"`, so that a log shipper can route them apart. Each record is its own write:
 * a pipe keeps a write of up to 4 KiB (PIPE_BUF) whole, so a record does not interleave with a
 * log line (a record longer than that, with large arguments, may; use the file sink then).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { serialize } from '../record.ts';
import type { AuditSink } from './sink.ts';

export function stdoutSink(stream: Writable = process.stdout): AuditSink {
  return {
    description: { sink: 'stdout' },
    batchSize: 256,
    flushInterval: 0,
    async write(records) {
      for (const record of records) {
        // Wait for a full stream to drain rather than buffering without bound.
        if (!stream.write(`${serialize(record)}\n`)) await once(stream, 'drain');
      }
    },
    async close() {},
  };
}
