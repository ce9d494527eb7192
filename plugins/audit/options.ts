/**
 * The `audit:` section, validated strictly: one sink (`stdout`, `file` or `http`) and its settings
 * under a key of the same name, so that a misspelt key is an error naming the key, not an audit
 * trail that silently goes nowhere.
 */
import { duration, z } from 'mcp-gateway';

const fileOptions = z.strictObject({
  /** Relative to the configuration file's folder. */
  path: z.string().min(1),
});

const httpOptions = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** The environment variable holding a bearer token (never the token itself in the file). */
  token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _')
    .optional(),
  batch_size: z.number().int().min(1).max(10_000).default(100),
  /** How long a record may wait for its batch to fill. */
  flush_interval: duration.default(1000),
  /** Per POST. */
  timeout: duration.default(10_000),
  /** Further attempts after a failed POST, before the batch is dropped. */
  retries: z.number().int().min(0).max(10).default(3),
  /** The wait before the first retry; doubled for each next one. */
  retry_backoff: duration.default(1000),
});

const sinkTypes = ['stdout', 'file', 'http'] as const;
type SinkType = (typeof sinkTypes)[number];

export const optionsSchema = z
  .strictObject({
    sink: z.enum(sinkTypes).default('stdout'),
    /** Tool and prompt arguments in the records: off by default, since arguments may hold secrets. */
    include_arguments: z.boolean().default(false),
    /** Records waiting for the sink; beyond it, new records are dropped and counted. */
    max_queue: z.number().int().min(1).default(10_000),
    file: fileOptions.optional(),
    http: httpOptions.optional(),
  })
  .superRefine((options, ctx) => {
    const examples = { file: 'file: { path: audit.jsonl }', http: 'http: { url: https://siem.example.com/ingest }' };
    for (const key of ['file', 'http'] as const) {
      if (options.sink === key && !options[key]) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is required when sink is "${key}"`,
          params: { fix: `add ${examples[key]}` },
        });
      }
      if (options.sink !== key && options[key]) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is set but sink is "${options.sink}"`,
          params: { fix: `set sink: ${key}, or remove audit.${key}` },
        });
      }
    }
  })
  .transform(({ sink, file, http, ...rest }) => ({ ...rest, sink: sinkOptions(sink, file, http) }));

export type FileSinkOptions = z.output<typeof fileOptions>;
export type HttpSinkOptions = z.output<typeof httpOptions>;
export type SinkOptions =
  | { type: 'stdout' }
  | ({ type: 'file' } & FileSinkOptions)
  | ({ type: 'http' } & HttpSinkOptions);

function sinkOptions(
  sink: SinkType,
  file: FileSinkOptions | undefined,
  http: HttpSinkOptions | undefined,
): SinkOptions {
  if (sink === 'file') return { type: 'file', ...file! };
  if (sink === 'http') return { type: 'http', ...http! };
  return { type: 'stdout' };
}

export type AuditOptions = z.output<typeof optionsSchema>;
