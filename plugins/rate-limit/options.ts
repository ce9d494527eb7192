/**
 * The `rate_limit:` section, validated strictly: a store (`memory` or `redis`), what a store
 * failure means, whether to trust `X-Forwarded-For`, and named rules. Mistakes that would silently
 * limit nothing (a key an HTTP rule cannot know, a window shorter than a second, a Redis
 * connection that `store: memory` would ignore) stop the boot with the key to fix.
 */
import { duration, z } from 'mcp-gateway';
import { serverToolPatterns } from 'mcp-gateway/patterns';
import { checkStoreChoice, storeChoiceShape } from 'mcp-gateway/redis';

/** What a rule may count separately. */
export const keyParts = ['principal', 'server', 'tool'] as const;
export type KeyPart = (typeof keyParts)[number];

/** A window in whole seconds (the stores count in seconds), at least one. */
const window = duration.refine((ms) => ms >= 1000 && ms % 1000 === 0, {
  message: 'must be a whole number of seconds, at least 1s',
  params: { fix: 'write it like 10s, 1m or 1h' },
});

const requests = z.number().int().min(1);

const ruleSchema = z.strictObject({
  /** In errors, logs and metrics labels: a short fixed word. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "-" and "." (at most 64)'),
  requests,
  window,
  /** An extra allowance once `requests` are used up, refilled on its own window. */
  burst: z.strictObject({ requests, window }).optional(),
  /** What is counted separately; `[]`: one counter shared by every caller. */
  key: z.array(z.enum(keyParts)).default(['principal']),
  /** `server:tool` globs: the rule counts those `tools/call`s. Without it: HTTP requests to /mcp. */
  tools: serverToolPatterns.optional(),
});

export const optionsSchema = z
  .strictObject({
    /** memory: counters in this process; redis: shared by every gateway using the same Redis. */
    ...storeChoiceShape,
    /** When the store cannot answer: open lets the request through, closed refuses it. */
    on_store_error: z.enum(['open', 'closed']).default('open'),
    /**
     * Where an anonymous caller's address comes from: false, the TCP peer; true, the last
     * `X-Forwarded-For` entry (what the proxy in front saw); a number N, the Nth entry from the end
     * (N proxies in front).
     */
    trust_proxy: z.union([z.boolean(), z.number().int().min(1).max(10)]).default(false),
    rules: z.array(ruleSchema).min(1),
  })
  .superRefine((options, ctx) => {
    checkStoreChoice(options, ctx, 'rate_limit');
    const seen = new Set<string>();
    options.rules.forEach((rule, index) => {
      if (seen.has(rule.name))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `"${rule.name}" names two rules`,
          params: { fix: 'give each rule its own name' },
        });
      seen.add(rule.name);
      if (new Set(rule.key).size !== rule.key.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'key'],
          message: 'lists a part twice',
          params: { fix: 'list each of principal, server, tool at most once' },
        });
      }
      // An HTTP rule counts before the message is read: neither server nor tool is known yet.
      const part = rule.tools === undefined && rule.key.find((k) => k !== 'principal');
      if (part) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'key'],
          message: `"${part}" is unknown for a rule without tools: (it counts HTTP requests, before the message is read)`,
          params: { fix: 'add tools: "*:*" to count tool calls, or use key: [principal]' },
        });
      }
    });
  });

export type RateLimitOptions = z.output<typeof optionsSchema>;
export type RuleOptions = RateLimitOptions['rules'][number];
