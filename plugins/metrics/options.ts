/**
 * The `metrics:` section, validated strictly. By default `/metrics` is a route of the gateway's own
 * port, open to anyone who can reach it (`auth: none`, so authentication plugins let scrapers
 * through); `bearer_token` closes it to all but Prometheus, and `port` moves it to a port of its own
 * (one that need not be exposed where `/mcp` is).
 */
import { z } from 'mcp-gateway';

// An unset `${METRICS_TOKEN:-}` gives null or "": an error rather than metrics left open by accident.
// A token with spaces could never match what a scraper sends: an error too.
const token = z
  .string()
  .nullable()
  .transform((value, ctx) => {
    if (value && !/\s/.test(value)) return value;
    ctx.addIssue(
      value
        ? {
            code: 'custom',
            message: 'the token contains spaces',
            params: { fix: 'use a token without spaces (it is sent as Authorization: Bearer <token>)' },
          }
        : {
            code: 'custom',
            message: 'the token is empty',
            params: { fix: 'set the variable it comes from, or remove bearer_token' },
          },
    );
    return z.NEVER;
  });

export const optionsSchema = z
  .strictObject({
    /** Where the exposition is served. */
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, 'a path such as /metrics')
      .default('/metrics'),
    /** When set, a scrape must send `Authorization: Bearer <this>` (compared in constant time). */
    bearer_token: token.optional(),
    /** Serve the metrics on this port, with their own HTTP server, instead of the gateway's port. */
    port: z.number().int().min(0).max(65535).optional(),
    /** The address of that port (default: `server.host`). */
    host: z.string().min(1).optional(),
    /** Node.js process metrics (CPU, memory, file descriptors, event loop lag, GC) under their standard names. */
    process_metrics: z.boolean().default(true),
  })
  .superRefine((options, ctx) => {
    if (options.host !== undefined && options.port === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: 'host is only used with port (the metrics then get a port of their own)',
        params: { fix: 'add metrics.port, or remove metrics.host' },
      });
    }
  });

export type MetricsOptions = z.output<typeof optionsSchema>;
