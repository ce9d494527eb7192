/**
 * The configured rules, compiled: what each applies to (HTTP requests to /mcp, or the `tools/call`s
 * its globs match), the counter key of a request (one per distinct value of its key parts), the
 * sentence that describes it in a refusal, and its limiter.
 */
import { formatDuration } from 'mcp-gateway';
import { serverToolMatcher } from 'mcp-gateway/patterns';
import type { KeyPart, RuleOptions } from './options.ts';
import { ruleLimiter, type Limiter, type Store } from './store.ts';

/** The values a request has for the key parts (`server` and `tool` only for tool calls). */
export type KeyValues = { readonly principal: string; readonly server?: string; readonly tool?: string };

export interface Rule {
  readonly name: string;
  /** `http`: every request to /mcp; `tools`: the matching `tools/call`s. */
  readonly scope: 'http' | 'tools';
  /** For `tools` rules: whether it counts this tool of this server. */
  readonly matches: (server: string, tool: string) => boolean;
  /** The counter a request is counted in. */
  readonly keyOf: (values: KeyValues) => string;
  /** `10 requests per 1m`, with the burst if there is one. */
  readonly description: string;
  readonly limiter: Limiter;
}

const plural = (n: number) => `${n} request${n === 1 ? '' : 's'}`;

export function compileRule(options: RuleOptions, store: Store): Rule {
  const parts: readonly KeyPart[] = options.key;
  const burst = options.burst && { requests: options.burst.requests, windowMs: options.burst.window };
  const tools = options.tools === undefined ? undefined : [options.tools].flat();
  return {
    name: options.name,
    scope: tools ? 'tools' : 'http',
    matches: tools ? serverToolMatcher(tools) : () => false,
    // Each value is URI-encoded, so that no subject can forge another key's separators.
    keyOf: (values) =>
      parts.length ? parts.map((part) => `${part}=${encodeURIComponent(values[part] ?? '')}`).join('&') : 'all',
    description:
      `${plural(options.requests)} per ${formatDuration(options.window)}` +
      (burst ? ` (plus a burst of ${plural(burst.requests)} per ${formatDuration(burst.windowMs)})` : ''),
    limiter: ruleLimiter(store, options.name, { requests: options.requests, windowMs: options.window }, burst),
  };
}
