/**
 * Permission patterns: `<server-glob>:<rest-glob>`, where `*` matches any run of characters
 * (`/` and `:` included) and every other character is literal, case included. The first `:`
 * separates the two sides (server names cannot contain `:`), so `n8n:*` covers everything of n8n
 * and `*:delete_*` the tools named `delete_...` of every server.
 *
 * The syntax is the kernel's (`splitServerPattern`, `compileGlob`); this file adds what only
 * permissions need. Several patterns may match one subject; the most specific wins, decided by the pattern text
 * alone (never by the order of the YAML map), see `compareSpecificity`.
 */
import { compileGlob, type Glob, splitServerPattern } from 'mcp-gateway/patterns';

/** What a permission is checked against: `server` and the rest (`tool`, `prompt/<name>`, `resource/<uri>`). */
export interface Subject {
  readonly server: string;
  readonly rest: string;
}

export interface Pattern<Value> {
  /** The pattern as written in the configuration. */
  readonly source: string;
  readonly server: Glob;
  readonly rest: Glob;
  readonly value: Value;
}

export function compilePattern<Value>(source: string, value: Value): Pattern<Value> {
  const parts = splitServerPattern(source);
  if (!parts) throw new Error(`permission pattern "${source}" is not <server>:<rest>`);
  return { source, server: compileGlob(parts.server), rest: compileGlob(parts.rest), value };
}

/**
 * Negative when `a` is more specific than `b`. In order: a server side without `*` beats one with;
 * a longer literal server side; a rest side without `*`; a longer literal rest side; and last, the
 * pattern text in code-unit order (so that the result never depends on the map's order).
 */
export function compareSpecificity(a: Pattern<unknown>, b: Pattern<unknown>): number {
  return (
    Number(a.server.wildcard) - Number(b.server.wildcard) ||
    b.server.literalLength - a.server.literalLength ||
    Number(a.rest.wildcard) - Number(b.rest.wildcard) ||
    b.rest.literalLength - a.rest.literalLength ||
    (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)
  );
}

/**
 * Patterns compiled once, sorted by specificity, so that the first match is the winner. Patterns
 * with a literal server are indexed by it: they beat every pattern with a wildcard server, so
 * those are only tried when none of the server's own patterns matches.
 */
export class PatternTable<Value> {
  readonly patterns: readonly Pattern<Value>[];
  readonly #byServer = new Map<string, Pattern<Value>[]>();
  readonly #anyServer: Pattern<Value>[] = [];

  constructor(entries: Iterable<readonly [string, Value]>) {
    this.patterns = [...entries].map(([source, value]) => compilePattern(source, value)).sort(compareSpecificity);
    for (const pattern of this.patterns) {
      if (pattern.server.wildcard) this.#anyServer.push(pattern);
      else this.#byServer.set(pattern.server.text, [...(this.#byServer.get(pattern.server.text) ?? []), pattern]);
    }
  }

  /** The most specific pattern that matches, if any. */
  match(subject: Subject): Pattern<Value> | undefined {
    for (const pattern of this.#byServer.get(subject.server) ?? []) if (pattern.rest.test(subject.rest)) return pattern;
    for (const pattern of this.#anyServer)
      if (pattern.server.test(subject.server) && pattern.rest.test(subject.rest)) return pattern;
    return undefined;
  }
}
