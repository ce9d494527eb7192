/**
 * The `cache:` section, validated strictly: a store (`memory` or `redis`), the memory store's
 * bound, the largest result worth keeping, and the rules that opt tools in. Mistakes that would
 * silently cache nothing (a pattern that is not `server:tool`, a zero TTL, a Redis connection
 * that `store: memory` would ignore) stop the boot with the key to fix.
 */
import { duration, size, z } from 'mcp-gateway';
import { serverToolPatterns } from 'mcp-gateway/patterns';
import { checkStoreChoice, storeChoiceShape } from 'mcp-gateway/redis';

const ttl = duration.refine((ms) => ms >= 1, {
  message: 'must be at least 1ms',
  params: { fix: 'write it like 30s, 5m or 1h' },
});

const ruleSchema = z.strictObject({
  /** `server:tool` globs (`*` matches any run of characters): the tools this rule caches. */
  tools: serverToolPatterns,
  /** How long a result stays cached. */
  ttl: ttl.prefault('5m'),
  /** true: only tools annotated `readOnlyHint` or `idempotentHint` are cached, whatever the pattern. */
  annotated_only: z.boolean().default(true),
});

export const optionsSchema = z
  .strictObject({
    /** memory: an LRU in this process; redis: shared by every gateway using the same Redis. */
    ...storeChoiceShape,
    /** The memory store's bound: the least recently used results go first. */
    max_entries: z.number().int().min(1).default(10_000),
    /** Results larger than this (as JSON, in bytes) are not cached. */
    max_result_size: size.prefault('1mb'),
    /** Only tools some rule matches are cached; the first matching rule decides. */
    rules: z.array(ruleSchema).min(1),
  })
  .superRefine((options, ctx) => checkStoreChoice(options, ctx, 'cache'));

export type CacheOptions = z.output<typeof optionsSchema>;
export type RuleOptions = CacheOptions['rules'][number];
