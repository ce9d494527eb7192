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
import { optionsSchema, type AuditOptions } from './options.ts';
import { BatchQueue } from './queue.ts';
import { auditedMethods, auditRecord, type AuditRecord } from './record.ts';
import { openSink } from './sinks/open.ts';

/** How long the old sink gets, after a reload, to take the records queued for it. */
const RELOAD_DRAIN_MS = 10_000;

export default definePlugin({
  name: 'audit',
  version: '1.0.0',
  kernel: '^1.0.0',
  section: 'audit',
  configSchema: optionsSchema,
  async setup(ctx) {
    const { logger } = ctx;
    const metrics = auditMetrics(() => ctx.find('metrics'));
    const drops = new DropReporter(logger, metrics.dropped);
    const open = async (options: AuditOptions) => {
      const sink = await openSink(options.sink, { baseDir: ctx.baseDir, logger });
      const queue = new BatchQueue<AuditRecord>({
        max: options.max_queue,
        batchSize: sink.batchSize,
        flushInterval: sink.flushInterval,
        write: (batch, signal) => sink.write(batch, signal),
        written: metrics.written,
        dropped: (reason, count, error) => drops.dropped(reason, count, error),
      });
      logger.info(
        { ...sink.description, include_arguments: options.include_arguments, max_queue: options.max_queue },
        'audit enabled',
      );
      return { options, sink, queue };
    };
    /** The trail in force; a reload (SIGHUP) opens the new sink first, then drains and closes the old one. */
    let trail = await open(ctx.options);

    return {
      onEvent(event) {
        metrics.ensure();
        if (event.type !== 'operation' || !auditedMethods.has(event.method)) return;
        trail.queue.push(auditRecord(event, { includeArguments: trail.options.include_arguments }));
      },

      async onReload({ options }) {
        const previous = trail;
        trail = await open(options);
        await previous.queue.flush(AbortSignal.timeout(RELOAD_DRAIN_MS));
        await previous.sink.close();
      },

      async onShutdown({ signal }) {
        await trail.queue.flush(signal);
        drops.close();
        await trail.sink.close();
      },
    };
  },
});
