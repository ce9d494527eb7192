/**
 * Which calls are cached, and for how long. Rules are tried in the order written; the first whose
 * `tools` pattern matches the call decides alone (a later rule is never consulted, even when the
 * first one declines an unannotated tool). A tool no rule matches is never cached.
 */
import type { Tool } from 'mcp-gateway';
import { compileGlob, serverToolMatcher, splitServerPattern } from 'mcp-gateway/patterns';
import type { RuleOptions } from './options.ts';

export interface CompiledRule {
  /** The rule's `tools` as written, for logs. */
  readonly tools: readonly string[];
  readonly ttlMs: number;
  readonly annotatedOnly: boolean;
  readonly matches: (server: string, tool: string) => boolean;
}

export function compileRules(rules: readonly RuleOptions[]): CompiledRule[] {
  return rules.map((rule) => {
    const tools = [rule.tools].flat();
    return { tools, ttlMs: rule.ttl, annotatedOnly: rule.annotated_only, matches: serverToolMatcher(tools) };
  });
}

/** A tool that says calling it twice gives the same answer: read-only or idempotent. */
const isAnnotatedCacheable = (definition: Pick<Tool, 'annotations'>): boolean =>
  definition.annotations?.readOnlyHint === true || definition.annotations?.idempotentHint === true;

/** The TTL of this call's results, or undefined when they must not be cached. */
export function ttlFor(
  rules: readonly CompiledRule[],
  server: string,
  tool: string,
  definition: Pick<Tool, 'annotations'>,
): number | undefined {
  const rule = rules.find((candidate) => candidate.matches(server, tool));
  if (!rule) return undefined;
  if (rule.annotatedOnly && !isAnnotatedCacheable(definition)) return undefined;
  return rule.ttlMs;
}

/** The patterns whose server side matches no configured server: they can never cache anything. */
export function deadPatterns(rules: readonly CompiledRule[], servers: readonly string[]): string[] {
  return rules.flatMap((rule) =>
    rule.tools.filter((pattern) => {
      const server = compileGlob(splitServerPattern(pattern)!.server);
      return !servers.some((name) => server.test(name));
    }),
  );
}
