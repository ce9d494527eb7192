/** The caller's scopes: the token's own, plus those mapped from its claims. */
import type { Principal } from 'mcp-gateway';
import { describe, expect, it } from 'vitest';
import { anonymous, callerResolver, claimValues, scopesOf, type ClaimMapping } from './scopes.ts';

const mapping: ClaimMapping = {
  claims: ['groups', 'roles', 'dept'],
  mappings: new Map([
    ['groups:Developers', ['scope:dev']],
    ['groups:Ops', ['scope:ops', 'scope:dev']],
    ['roles:Admin', ['scope:admin']],
    ['dept:R&D', ['scope:rd']],
    ['groups:7', ['scope:seven']],
    ['tenant:acme', ['scope:acme']], // "tenant" is not in claims: never applies
  ]),
};

const principal = (claims: Record<string, unknown>, scopes: readonly string[] = []): Principal => ({
  subject: 'u1',
  scopes,
  claims,
});
const scopes = (claims: Record<string, unknown>, token: readonly string[] = []) =>
  [...scopesOf(principal(claims, token), mapping)].sort();

describe('claim values', () => {
  it.each([
    ['a string', 'Developers', ['Developers']],
    ['an array of strings', ['Developers', 'Ops'], ['Developers', 'Ops']],
    ['an empty array', [], []],
    ['a number', 7, []],
    ['a boolean', true, []],
    ['null', null, []],
    ['an object', { Developers: true }, []],
    ['an array with a non-string', ['Developers', 7], []],
    ['a nested array', [['Developers']], []],
  ])('%s', (_, value, expected) => {
    expect(claimValues(value)).toEqual(expected);
  });
});

describe('scopes of a principal', () => {
  it('maps a string claim', () => {
    expect(scopes({ groups: 'Developers' })).toEqual(['scope:dev']);
  });

  it('maps every value of an array claim, each scope once', () => {
    expect(scopes({ groups: ['Developers', 'Ops'] })).toEqual(['scope:dev', 'scope:ops']);
  });

  it('adds the token scopes to the mapped ones', () => {
    expect(scopes({ roles: ['Admin'] }, ['read', 'scope:dev'])).toEqual(['read', 'scope:admin', 'scope:dev']);
    expect(scopes({}, ['read'])).toEqual(['read']);
  });

  it('reads every listed claim', () => {
    expect(scopes({ groups: 'Developers', roles: ['Admin'], dept: 'R&D' })).toEqual([
      'scope:admin',
      'scope:dev',
      'scope:rd',
    ]);
  });

  it('matches values exactly and case-sensitively', () => {
    expect(scopes({ groups: ['developers', 'DEVELOPERS', ' Developers', 'Developers '] })).toEqual([]);
    expect(scopes({ Groups: ['Developers'] })).toEqual([]);
  });

  it('ignores claims of an unexpected shape without throwing', () => {
    for (const value of [7, true, null, { Developers: true }, ['Developers', 7], [['Developers']], [null]]) {
      expect(scopes({ groups: value })).toEqual([]);
    }
    // A number is not its string form.
    expect(scopes({ groups: 7 })).toEqual([]);
    expect(scopes({ groups: '7' })).toEqual(['scope:seven']);
  });

  it('ignores claims that are not listed in claims, and mappings of them', () => {
    expect(scopes({ tenant: 'acme' })).toEqual([]);
  });

  it('ignores values that are not keys, including prototype names', () => {
    expect(scopes({ groups: ['__proto__', 'constructor', 'toString', 'Developers:x'] })).toEqual([]);
  });

  it('gives an anonymous caller no scopes', () => {
    expect([...scopesOf(undefined, mapping)]).toEqual([]);
  });

  it('reads a malformed principal defensively', () => {
    const odd = { subject: 'u1', scopes: 'scope:admin', claims: null } as unknown as Principal;
    expect([...scopesOf(odd, mapping)]).toEqual([]);
    const mixed = { subject: 'u1', scopes: ['ok', 5, ''], claims: { groups: 'Developers' } } as unknown as Principal;
    expect([...scopesOf(mixed, mapping)].sort()).toEqual(['ok', 'scope:dev']);
  });
});

describe('callers', () => {
  it('keys a caller by its scope set, whatever the order', () => {
    const callerOf = callerResolver(mapping);
    const a = callerOf(principal({ groups: ['Developers', 'Ops'] }));
    const b = callerOf(principal({ groups: 'Ops' }, ['scope:dev']));
    expect(a.key).toBe(b.key);
    expect(callerOf(undefined)).toBe(anonymous);
    expect(callerOf(principal({})).key).toBe(anonymous.key);
  });

  it('maps a principal once', () => {
    const callerOf = callerResolver(mapping);
    const p = principal({ groups: 'Developers' });
    expect(callerOf(p)).toBe(callerOf(p));
  });
});
