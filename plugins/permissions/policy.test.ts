/** The policy's decisions: scope_mode any/all, default_scope null or set, open patterns, caches. */
import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.ts';
import { Policy, type PolicyOptions, type ScopeMode } from './policy.ts';
import { anonymous, callerOf } from './scopes.ts';

const permissions: PolicyOptions['permissions'] = Object.entries({
  'n8n:*': ['scope:dev', 'scope:ops'],
  'n8n:deploy': ['scope:ops'],
  'admin:user_management': ['scope:admin'],
  '*:ping': [],
});

const policy = (scopeMode: ScopeMode, defaultScope: string | null) =>
  new Policy({ permissions, scopeMode, defaultScope });
const caller = (...scopes: string[]) => callerOf(new Set(scopes));
const allowed = (p: Policy, scopes: string[], subject: string) => {
  const colon = subject.indexOf(':');
  return p.decide(scopes.length ? caller(...scopes) : anonymous, {
    server: subject.slice(0, colon),
    rest: subject.slice(colon + 1),
  }).allowed;
};

/** [subject, caller scopes, any, all] for both modes with default_scope null. */
const table: [string, string[], boolean, boolean][] = [
  ['n8n:search', ['scope:dev'], true, false],
  ['n8n:search', ['scope:ops'], true, false],
  ['n8n:search', ['scope:dev', 'scope:ops'], true, true],
  ['n8n:search', ['scope:dev', 'scope:ops', 'extra'], true, true],
  ['n8n:search', ['extra'], false, false],
  ['n8n:search', [], false, false],
  ['n8n:deploy', ['scope:dev'], false, false], // the more specific pattern, not n8n:*
  ['n8n:deploy', ['scope:ops'], true, true],
  ['admin:user_management', ['scope:admin'], true, true],
  ['admin:user_management', ['scope:dev', 'scope:ops'], false, false],
  ['admin:other', ['scope:admin'], false, false], // no pattern: denied by default
  ['n8n:ping', [], false, false], // n8n:* is more specific than *:ping (literal server)
  ['github:ping', [], true, true], // an empty list lets anyone in, even anonymous
];

describe('scope_mode', () => {
  it.each(table)('%s with %j: any %s, all %s', (subject, scopes, any, all) => {
    expect(allowed(policy('any', null), scopes, subject)).toBe(any);
    expect(allowed(policy('all', null), scopes, subject)).toBe(all);
  });

  it('reports what the subject needs', () => {
    const p = policy('all', null);
    expect(p.requirement({ server: 'n8n', rest: 'search' })).toEqual({
      kind: 'pattern',
      pattern: 'n8n:*',
      scopes: ['scope:dev', 'scope:ops'],
      mode: 'all',
    });
    expect(p.requirement({ server: 'github', rest: 'ping' })).toEqual({
      kind: 'pattern',
      pattern: '*:ping',
      scopes: [],
      mode: 'all',
    });
    expect(p.requirement({ server: 'admin', rest: 'other' })).toEqual({ kind: 'unmatched', scopes: [] });
  });
});

describe('default_scope', () => {
  it('null denies whatever no pattern matches, to everyone', () => {
    const p = policy('any', null);
    for (const scopes of [[], ['scope:dev'], ['scope:admin'], ['scope:dev', 'scope:ops', 'scope:admin']]) {
      expect(allowed(p, scopes, 'github:search')).toBe(false);
    }
  });

  it('a scope is what an unmatched subject needs, in both modes', () => {
    for (const mode of ['any', 'all'] as const) {
      const p = policy(mode, 'scope:basic');
      expect(allowed(p, ['scope:basic'], 'github:search')).toBe(true);
      expect(allowed(p, ['scope:dev'], 'github:search')).toBe(false);
      expect(allowed(p, [], 'github:search')).toBe(false);
      expect(p.requirement({ server: 'github', rest: 'search' })).toEqual({ kind: 'default', scopes: ['scope:basic'] });
      // It never applies to a subject some pattern matches.
      expect(allowed(p, ['scope:basic'], 'n8n:search')).toBe(false);
    }
  });
});

describe('caches', () => {
  it('gives the same decision for the same scope set, however the caller was built', () => {
    const p = policy('any', null);
    const subject = { server: 'n8n', rest: 'search' };
    expect(p.decide(caller('scope:dev', 'x'), subject)).toBe(p.decide(caller('x', 'scope:dev'), subject));
    expect(p.decide(caller('x'), subject).allowed).toBe(false);
  });

  it('stays within bounds with client-chosen subjects', () => {
    const p = new Policy({ permissions, scopeMode: 'any', defaultScope: null, cacheSize: 10 });
    for (let i = 0; i < 1000; i++)
      expect(p.decide(caller('scope:dev'), { server: 'n8n', rest: `resource/n8n://items/${i}` }).allowed).toBe(true);
    expect(p.decide(caller('scope:dev'), { server: 'n8n', rest: 'deploy' }).allowed).toBe(false);
  });

  it('evicts the least recently used entry', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // b is now the oldest
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});
