/**
 * Configuration errors as one line an operator can act on: the file and line, the key path, what
 * is wrong, and how to fix it. Never a stack trace.
 */
import type { z } from 'zod';
import { ErrorCodes, GatewayError, type ErrorCode } from '../errors.ts';

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
 * configuration (e.g. `['proxy', 'servers', 2]`), `schema` lets an unknown key be matched against
 * the known ones to suggest a spelling.
 */
export function fromZodError(
  error: z.ZodError,
  options: { source?: ConfigSource; prefix?: KeyPath; schema?: z.ZodType; input?: unknown; plugin?: string; code?: ErrorCode },
): ConfigError {
  const [issue, ...rest] = error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  const prefix = options.prefix ?? [];
  const path = [...prefix, ...(issue!.path as (string | number)[])];
  const where = { source: options.source, plugin: options.plugin, code: options.code };

  if (issue!.code === 'unrecognized_keys') {
    const [key] = issue!.keys;
    const known = knownKeys(options.schema, issue!.path as KeyPath);
    const guess = known && closest(key!, known);
    const fix = guess ? `did you mean "${guess}"?` : known?.length ? `remove it (known keys: ${known.join(', ')})` : 'remove it';
    return new ConfigError(`unknown key "${key}"${more}`, { ...where, path: [...path, key!], fix });
  }
  if (issue!.code === 'invalid_type') {
    const actual = describeValue(valueAt(options.input, issue!.path as KeyPath));
    const problem = actual === 'nothing' ? `is required (expected ${issue!.expected})` : `expected ${issue!.expected}, got ${actual}`;
    return new ConfigError(`${problem}${more}`, { ...where, path, fix: `write a ${issue!.expected} here` });
  }
  if (issue!.code === 'invalid_value') {
    const allowed = issue!.values.map((v) => JSON.stringify(v)).join(', ');
    return new ConfigError(`${JSON.stringify(valueAt(options.input, issue!.path as KeyPath))} is not allowed${more}`, {
      ...where,
      path,
      fix: `use one of ${allowed}`,
    });
  }
  const fix = (issue!.code === 'custom' ? (issue!.params?.fix as string | undefined) : undefined) ?? genericFixes[issue!.code] ?? 'correct the value';
  return new ConfigError(`${issue!.message}${more}`, { ...where, path, fix });
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
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[] };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

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

/** The known key closest to a misspelt one, if any is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) (best = candidate), (bestDistance = d);
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
