/** Include and exclude globs over names, and which of them (and of other keys) name nothing. */
import { compileGlob, type Glob } from 'mcp-gateway/patterns';

export interface Selection {
  keeps(name: string): boolean;
  /** `include: "x"`-style labels of the globs that match none of `names`. */
  unmatched(names: readonly string[]): string[];
}

export function selection(rules: { include?: readonly string[]; exclude?: readonly string[] } = {}): Selection {
  const include = rules.include?.map(compileGlob);
  const exclude = (rules.exclude ?? []).map(compileGlob);
  const any = (globs: readonly Glob[], name: string) => globs.some((glob) => glob.test(name));
  return {
    keeps: (name) => (include === undefined || any(include, name)) && !any(exclude, name),
    unmatched: (names) => [
      ...unmatchedGlobs('include', include ?? [], names),
      ...unmatchedGlobs('exclude', exclude, names),
    ],
  };
}

function unmatchedGlobs(key: string, globs: readonly Glob[], names: readonly string[]): string[] {
  return globs.filter((glob) => !names.some((name) => glob.test(name))).map((glob) => `${key}: "${glob.text}"`);
}

/** `key: "x"` labels of the keys of a table (renames, overrides) that name none of `names`. */
export function unmatchedKeys(
  key: string,
  table: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string[] {
  const known = new Set(names);
  return Object.keys(table)
    .filter((name) => !known.has(name))
    .map((name) => `${key}: "${name}"`);
}
