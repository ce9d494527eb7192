/**
 * Configuration errors as one line an operator can act on: the file and line, the key path, what
 * is wrong, and how to fix it. Never a stack trace.
 */
import type { z } from 'zod';
import { ErrorCodes, GatewayError, type ErrorCode } from '../../kernel/errors.ts';
import { closest } from '../../kernel/closest.ts';

export type KeyPath = readonly (string | number)[];

/** Where the configuration came from, so that errors can point into it. */
export interface ConfigSource {
  readonly file: string;
  /** The 1-based line of the value at `path`, or of its closest existing parent. */
  line(path: KeyPath): number | undefined;
}

export class ConfigError extends GatewayError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly path: string;
  readonly fix: string | undefined;

  constructor(
    problem: string,
    where: { source?: ConfigSource; path: KeyPath; fix?: string; code?: ErrorCode; plugin?: string },
  ) {
    super(where.code ?? ErrorCodes.CONFIG, problem, { plugin: where.plugin });
    this.file = where.source?.file;
    this.line = where.source?.line(where.path);
    this.path = formatPath(where.path);
    this.fix = where.fix;
  }

  override describe(): string {
    const location = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}` : 'configuration';
    const plugin = this.plugin ? ` (plugin ${this.plugin})` : '';
    const key = this.path ? ` ${this.path}:` : '';
    const fix = this.fix ? `; fix: ${this.fix}` : '';
    return `${this.code}${plugin}: ${location}:${key} ${this.message}${fix}`;
  }
}

export function formatPath(path: KeyPath): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text ? `.${part}` : part;
  return text;
}

/**
 * The first problem zod found, as a ConfigError. `prefix` places the validated value in the whole
 * configuration (e.g. `['proxy', 'servers', 2]`). `schema` lets an unknown key be matched against
 * the known ones to suggest a spelling; a list names every schema that reads the same value (a
 * server entry is the kernel's and its transport's), so a typo finds its key whichever owns it.
 */
export function fromZodError(
  error: z.ZodError,
  options: {
    source?: ConfigSource;
    prefix?: KeyPath;
    schema?: z.ZodType | readonly z.ZodType[];
    input?: unknown;
    plugin?: string;
    code?: ErrorCode;
  },
): ConfigError {
  const [issue] = error.issues;
  const more = (reported: number) => {
    const rest = error.issues.length - reported;
    return rest > 0 ? ` (and ${rest} more problem${rest > 1 ? 's' : ''})` : '';
  };
  const prefix = options.prefix ?? [];
  const issuePath = issue!.path as KeyPath;
  const path = [...prefix, ...issuePath];
  const where = { source: options.source, plugin: options.plugin, code: options.code };
  const schemas =
    options.schema === undefined ? [] : Array.isArray(options.schema) ? options.schema : [options.schema as z.ZodType];
  const known = (at: KeyPath) => knownKeysOfAll(schemas, at);

  if (issue!.code === 'unrecognized_keys') {
    const [key] = issue!.keys;
    const keys = known(issuePath);
    const guess = keys && closest(key!, keys);
    const fix = guess
      ? `did you mean "${guess}"?`
      : keys?.length
        ? `remove it (known keys: ${keys.join(', ')})`
        : 'remove it';
    return new ConfigError(`unknown key "${key}"${more(1)}`, { ...where, path: [...path, key!], fix });
  }
  if (issue!.code === 'invalid_type') {
    const actual = describeValue(valueAt(options.input, issuePath));
    const expected = withArticle(issue!.expected);
    if (actual === 'nothing') {
      // A required key is most often missing because it was misspelt: name the stray key beside it.
      const cause = misspeltAs(error.issues, issuePath, options.input, known(issuePath.slice(0, -1)));
      if (cause) {
        const missing = String(issuePath.at(-1));
        const fix = cause.close
          ? `did you mean "${missing}"?`
          : `rename it to "${missing}" if that is what it is for, or add ${missing}: (${expected})`;
        return new ConfigError(
          `unknown key "${cause.key}", and the required "${missing}" is missing${more(cause.issues)}`,
          {
            ...where,
            path: [...prefix, ...issuePath.slice(0, -1), cause.key],
            fix,
          },
        );
      }
    }
    const problem =
      actual === 'nothing' ? `is required (expected ${issue!.expected})` : `expected ${issue!.expected}, got ${actual}`;
    return new ConfigError(`${problem}${more(1)}`, { ...where, path, fix: `write ${expected} here` });
  }
  if (issue!.code === 'invalid_value') {
    const allowed = issue!.values.map((v) => JSON.stringify(v)).join(', ');
    return new ConfigError(`${JSON.stringify(valueAt(options.input, issuePath))} is not allowed${more(1)}`, {
      ...where,
      path,
      fix: `use one of ${allowed}`,
    });
  }
  const fix =
    (issue!.code === 'custom' ? (issue!.params?.fix as string | undefined) : undefined) ??
    genericFixes[issue!.code] ??
    'correct the value';
  return new ConfigError(`${issue!.message}${more(1)}`, { ...where, path, fix });
}

/**
 * The key beside a missing one that was likely meant as it: one close enough to be a typo, or else
 * one the schema rejected as unknown. `issues` counts the zod issues the answer explains.
 */
function misspeltAs(
  issues: readonly z.core.$ZodIssue[],
  missingPath: KeyPath,
  input: unknown,
  known: readonly string[] | undefined,
): { key: string; close: boolean; issues: number } | undefined {
  const parentPath = missingPath.slice(0, -1);
  const samePath = (path: readonly PropertyKey[]) =>
    path.length === parentPath.length && path.every((part, i) => part === parentPath[i]);
  const rejected = issues.find((issue) => issue.code === 'unrecognized_keys' && samePath(issue.path));
  const rejectedKeys = rejected?.code === 'unrecognized_keys' ? rejected.keys : [];
  const parent = valueAt(input, parentPath);
  const present = parent && typeof parent === 'object' && !Array.isArray(parent) ? Object.keys(parent) : [];
  const strays = known ? present.filter((key) => !known.includes(key)) : rejectedKeys;
  const near = closest(String(missingPath.at(-1)), strays);
  const key = near ?? rejectedKeys[0];
  if (key === undefined) return undefined;
  return { key, close: near !== undefined, issues: rejectedKeys.includes(key) ? 2 : 1 };
}

/** "an object", "a string": zod names the expected type bare. */
function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

const genericFixes: Partial<Record<string, string>> = {
  invalid_format: 'write it in the expected format',
  too_small: 'use a larger value',
  too_big: 'use a smaller value',
};

function valueAt(input: unknown, path: KeyPath): unknown {
  let value = input;
  for (const part of path) value = value == null ? undefined : (value as Record<string | number, unknown>)[part];
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The keys any of `schemas` accepts at `path`, together; undefined when none is an object there. */
function knownKeysOfAll(schemas: readonly z.ZodType[], path: KeyPath): string[] | undefined {
  const lists = schemas.flatMap((schema) => knownKeys(schema, path) ?? []);
  return lists.length ? [...new Set(lists)] : undefined;
}

/** The keys an object schema accepts at `path`, looking through optional/default/pipe/array wrappers. */
export function knownKeys(schema: z.ZodType | undefined, path: KeyPath): string[] | undefined {
  let current = schema;
  for (let i = 0; current && i <= path.length; ) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (def.type === 'union') current = def.options?.find((o) => defOf(o).type === 'object' || defOf(o).innerType);
    else if (i === path.length) return def.shape ? Object.keys(def.shape) : undefined;
    else if (def.type === 'array') (current = def.element), i++;
    else if (def.shape) (current = def.shape[String(path[i])]), i++;
    else return undefined;
  }
  return undefined;
}
