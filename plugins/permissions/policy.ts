/**
 * The policy: which scopes a subject needs (the most specific matching pattern's list, or
 * `default_scope`), and whether a caller's scopes satisfy that (`scope_mode`). Decisions are
 * cached per (caller's scope set, subject), because `tools/list` asks about every tool on every
 * request; both caches are bounded.
 */
import { BoundedCache } from './bounded-cache.ts';
import { PatternTable, type Subject } from './patterns.ts';
import type { Caller } from './scopes.ts';

export type ScopeMode = 'any' | 'all';

/** What a subject needs. */
export type Requirement =
  /** A pattern matched: its scopes under `scope_mode` (an empty list lets anyone in). */
  | { readonly kind: 'pattern'; readonly pattern: string; readonly scopes: readonly string[]; readonly mode: ScopeMode }
  /** No pattern matched and `default_scope` is set: that scope. */
  | { readonly kind: 'default'; readonly scopes: readonly [string] }
  /** No pattern matched and `default_scope` is null: no one. */
  | { readonly kind: 'unmatched'; readonly scopes: readonly [] };

export interface Decision {
  readonly allowed: boolean;
  readonly requirement: Requirement;
}

export interface PolicyOptions {
  /** `server:rest` glob → the scopes that may use what it matches. */
  readonly permissions: Iterable<readonly [string, readonly string[]]>;
  readonly scopeMode: ScopeMode;
  readonly defaultScope: string | null;
  /** Most (caller, subject) decisions remembered (default 50 000). */
  readonly cacheSize?: number;
}

export const subjectKey = (subject: Subject) => `${subject.server}:${subject.rest}`;

/** Whether a caller holding `scopes` meets a requirement. */
export function satisfies(requirement: Requirement, scopes: ReadonlySet<string>): boolean {
  switch (requirement.kind) {
    case 'pattern':
      if (requirement.scopes.length === 0) return true;
      return requirement.mode === 'all'
        ? requirement.scopes.every((s) => scopes.has(s))
        : requirement.scopes.some((s) => scopes.has(s));
    case 'default':
      return scopes.has(requirement.scopes[0]);
    case 'unmatched':
      return false;
  }
}

export class Policy {
  readonly table: PatternTable<readonly string[]>;
  readonly #mode: ScopeMode;
  readonly #fallback: Requirement;
  readonly #requirements: BoundedCache<string, Requirement>;
  readonly #decisions: BoundedCache<string, Decision>;

  constructor(options: PolicyOptions) {
    this.table = new PatternTable(options.permissions);
    this.#mode = options.scopeMode;
    this.#fallback =
      options.defaultScope === null
        ? { kind: 'unmatched', scopes: [] }
        : { kind: 'default', scopes: [options.defaultScope] };
    const size = options.cacheSize ?? 50_000;
    this.#requirements = new BoundedCache(Math.max(1, Math.ceil(size / 5)));
    this.#decisions = new BoundedCache(size);
  }

  /** What a subject needs, whoever asks. */
  requirement(subject: Subject): Requirement {
    return this.#requirements.getOrSet(subjectKey(subject), () => {
      const winner = this.table.match(subject);
      return winner
        ? { kind: 'pattern', pattern: winner.source, scopes: winner.value, mode: this.#mode }
        : this.#fallback;
    });
  }

  decide(caller: Caller, subject: Subject): Decision {
    // NUL cannot occur in a scope-set key (JSON escapes it), so the two parts never run together.
    return this.#decisions.getOrSet(`${caller.key}\u0000${subjectKey(subject)}`, () => {
      const requirement = this.requirement(subject);
      return { allowed: satisfies(requirement, caller.scopes), requirement };
    });
  }
}
