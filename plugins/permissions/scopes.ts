/**
 * The caller's scopes: the ones its token carries (`principal.scopes`, from `scope`/`scp`) plus the
 * ones `auth.mappings` gives to its claim values. Matching is exact and case-sensitive: `groups:
 * developers` is not `groups:Developers` (an identity provider that changes the case of a group
 * changes who it is).
 */
import type { Principal } from 'mcp-gateway';

export interface ClaimMapping {
  /** The claims that carry permissions (`groups`, `roles`, ...). */
  readonly claims: readonly string[];
  /** `claim:value` → scopes. */
  readonly mappings: ReadonlyMap<string, readonly string[]>;
}

/** A caller as the policy sees it: a set of scopes and a stable key of that set (for caches). */
export interface Caller {
  readonly scopes: ReadonlySet<string>;
  readonly key: string;
}

export const anonymous: Caller = { scopes: new Set(), key: '[]' };

/**
 * The values of one claim: a string, or each string of an array of strings. Anything else (a
 * number, an object, an array holding anything but strings) gives nothing: a claim of an
 * unexpected shape never grants a scope, and never fails the request.
 */
export function claimValues(value: unknown): readonly string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return [];
}

/** The scopes of a principal; none for an anonymous caller. */
export function scopesOf(principal: Principal | undefined, mapping: ClaimMapping): Set<string> {
  const scopes = new Set<string>();
  if (!principal) return scopes;
  // A principal comes from any auth plugin: read it defensively.
  if (Array.isArray(principal.scopes))
    for (const scope of principal.scopes) if (typeof scope === 'string' && scope) scopes.add(scope);
  const claims = typeof principal.claims === 'object' && principal.claims !== null ? principal.claims : {};
  for (const claim of mapping.claims) {
    if (!Object.hasOwn(claims, claim)) continue;
    for (const value of claimValues(claims[claim])) {
      for (const scope of mapping.mappings.get(`${claim}:${value}`) ?? []) scopes.add(scope);
    }
  }
  return scopes;
}

export function callerOf(scopes: ReadonlySet<string>): Caller {
  return { scopes, key: JSON.stringify([...scopes].sort()) };
}

/**
 * Callers by principal, so that the hooks of one request (its list, its message check, its call)
 * map the claims once. Weak: a principal lives as long as its request or its session.
 */
export function callerResolver(mapping: ClaimMapping): (principal: Principal | undefined) => Caller {
  const known = new WeakMap<Principal, Caller>();
  return (principal) => {
    if (!principal || typeof principal !== 'object') return anonymous;
    let caller = known.get(principal);
    if (!caller) known.set(principal, (caller = callerOf(scopesOf(principal, mapping))));
    return caller;
  };
}
