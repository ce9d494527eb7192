/**
 * `server:tool` patterns, the one syntax every policy plugin uses (permissions, rate limits,
 * caching), so that an operator writes them the same way everywhere: the first `:` separates the
 * server (its `name` in `proxy.servers`, never its prefix) from the rest (the upstream's own tool
 * name, or for permissions `prompt/<name>` and `resource/<uri>`); `*` matches any run of
 * characters (`/` and `:` included) and every other character is literal, case included.
 */
import { z } from 'zod';

/** Splits `server:rest` at its first `:`; undefined when either side would be empty. */
export function splitServerPattern(source: string): { server: string; rest: string } | undefined {
  const colon = source.indexOf(':');
  if (colon <= 0 || colon === source.length - 1) return undefined;
  return { server: source.slice(0, colon), rest: source.slice(colon + 1) };
}

/** One side of a pattern, compiled. */
export interface Glob {
  readonly text: string;
  readonly wildcard: boolean;
  /** How many characters of the glob are not `*` (how specific it is). */
  readonly literalLength: number;
  test(value: string): boolean;
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

export function compileGlob(text: string): Glob {
  const literalLength = text.replace(/\*/g, '').length;
  if (!text.includes('*')) return { text, wildcard: false, literalLength, test: (value) => value === text };
  // `s`: `*` also matches line breaks; a URI or a name never escapes the anchors.
  const regex = new RegExp(`^${text.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return { text, wildcard: true, literalLength, test: (value) => regex.test(value) };
}

/** Whether `server:tool` matches any of the patterns (validated by `serverToolPatterns`). */
export function serverToolMatcher(patterns: readonly string[]): (server: string, tool: string) => boolean {
  const compiled = patterns.map((pattern) => {
    const { server, rest } = splitServerPattern(pattern)!;
    return { server: compileGlob(server), tool: compileGlob(rest) };
  });
  return (server, tool) => compiled.some((p) => p.server.test(server) && p.tool.test(tool));
}

/**
 * What is wrong with a pattern and how to write it, or undefined when it is well formed. A pattern
 * without both sides would silently match nothing, so configs refuse it with this.
 */
export function serverPatternProblem(pattern: string): { message: string; fix: string } | undefined {
  const colon = pattern.indexOf(':');
  if (colon > 0 && colon < pattern.length - 1) return undefined;
  if (colon < 0) {
    return {
      message: `pattern "${pattern}" has no ":"; a pattern is "<server>:<tool>" (globs with *)`,
      fix: `write "${pattern}:*" for everything of server "${pattern}", or "*:${pattern}" for the tool "${pattern}" of every server`,
    };
  }
  if (colon === 0)
    return { message: `pattern "${pattern}" has no server before ":"`, fix: `write "*${pattern}" for every server` };
  return {
    message: `pattern "${pattern}" has nothing after ":"`,
    fix: `write "${pattern}*" for everything of that server`,
  };
}

/** A config value of one `server:tool` glob or a non-empty list of them, each well formed. */
export const serverToolPatterns = z.union([z.string(), z.array(z.string()).min(1)]).superRefine((value, ctx) => {
  for (const pattern of [value].flat()) {
    const problem = serverPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, params: { fix: problem.fix } });
  }
});
