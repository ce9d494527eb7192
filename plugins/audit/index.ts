/**
 * An audit trail: one structured record per operation that uses an item (`tools/call`,
 * `prompts/get`, `resources/read`, `resources/subscribe`, `completion/complete`), allowed, denied
 * or failed: who, which server and item, the permission decision, how it ended, how long it took.
 * Records are built from the kernel's `operation` events and go through a bounded queue to one
 * sink (stdout, a file, or an HTTP collector): the audit never slows or fails a call; what it
 * cannot keep up with is dropped, counted and reported.
 */
import { definePlugin } from 'mcp-gateway';
import { DropReporter } from './drops.ts';
import { auditMetrics } from './metrics.ts';
import { optionsSchema } from './options.ts';
import { BatchQueue } from './queue.ts';
import { auditedMethods, auditRecord, type AuditRecord } from './record.ts';
import { openSink } from './sinks/open.ts';

export default definePlugin({
  name: 'audit',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'audit',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { options, logger } = ctx;
    const sink = await openSink(options.sink, { baseDir: ctx.baseDir, logger });
    const metrics = auditMetrics(() => ctx.find('metrics'));
    const drops = new DropReporter(logger, metrics.dropped);
    const queue = new BatchQueue<AuditRecord>({
      max: options.max_queue,
      batchSize: sink.batchSize,
      flushInterval: sink.flushInterval,
      write: (batch, signal) => sink.write(batch, signal),
      written: metrics.written,
      dropped: (reason, count, error) => drops.dropped(reason, count, error),
    });
    logger.info({ ...sink.description, include_arguments: options.include_arguments, max_queue: options.max_queue }, 'audit enabled');

    return {
      onEvent(event) {
        metrics.ensure();
        if (event.type !== 'operation' || !auditedMethods.has(event.method)) return;
        queue.push(auditRecord(event, { includeArguments: options.include_arguments }));
      },

      async onShutdown({ signal }) {
        await queue.flush(signal);
        drops.close();
        await sink.close();
      },
    };
  },
});
